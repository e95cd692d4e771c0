#!/usr/bin/env bash
# Build the man pages from docs/berth.1.md (docs/man/README.md):
#   docs/man/mkman.sh SRC OUTDIR VERSION
# writes OUTDIR/berth.1 and one OUTDIR/berth-CMD.1 for every "### CMD"
# section of SRC's COMMANDS, through Markdown files in OUTDIR/md/ and
# go-md2man(1).  Every two-column table becomes a definition list; a
# command's "| option | meaning |" tables become its OPTIONS section.
set -euo pipefail

src=$1 out=$2 version=$3
for tool in go-md2man preconv; do
	command -v $tool >/dev/null || {
		echo "mkman.sh: $tool not found: make deps (Debian: go-md2man, groff-base)" >&2
		exit 1
	}
done
md=$out/md
rm -rf "$md"
mkdir -p "$md"

awk -v md="$md" -v version="$version" '
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }

# A Markdown table (rows in tbl[1..ntbl]) as a definition list.
function table_md(   i, n, c, cells, term, def, s) {
	s = ""
	for (i = 3; i <= ntbl; i++) {
		row = tbl[i]
		gsub(/\\\|/, "\001", row)
		sub(/^[ \t]*\|/, "", row)
		sub(/\|[ \t]*$/, "", row)
		n = split(row, cells, "|")
		for (c = 1; c <= n; c++) {
			gsub(/\001/, "|", cells[c])
			cells[c] = trim(cells[c])
		}
		def = cells[2]
		for (c = 3; c <= n; c++)
			def = def " — " cells[c]
		s = s cells[1] "\n: " def "\n\n"
	}
	return s
}

# The table just read goes to the command'"'"'s OPTIONS or where it stands.
function flush_table(   head, text) {
	if (ntbl == 0)
		return
	head = tbl[1]
	text = table_md()
	ntbl = 0
	if (cmd != "" && head ~ /^\|[ \t]*option[ \t]*\|/)
		opts[cmd] = opts[cmd] text
	else
		emit(text)
}

function emit(s) {
	if (cmd != "")
		desc[cmd] = desc[cmd] s
	else
		page = page s
}

# The first words of a command'"'"'s description: its NAME line.
function summary(c,   p, i) {
	p = desc[c]
	sub(/^\n+/, "", p)
	sub(/\n\n.*/, "", p)
	gsub(/\n/, " ", p)
	gsub(/`/, "", p)
	if (match(p, /(\. |\.$|: |; |, | \()/))
		p = substr(p, 1, RSTART - 1)
	return tolower(substr(p, 1, 1)) substr(p, 2)
}

# The SYNOPSIS of a command page, a code block: its words in the SYNOPSIS
# of berth(1) (the heading when it has none), wrapped to fit 80 columns
# (between brackets no break), continuation lines under the first option.
function synopsis(c,   text, lead, pad, i, ch, depth, unit, line, s) {
	text = (c in syn) ? syn[c] : "berth " head[c]
	gsub(/[ \n]+/, " ", text)
	sub(/^ *berth +[^ ]+ */, "", text)
	lead = "berth " c " "
	pad = sprintf("%*s", length(lead), "")
	line = lead
	s = ""
	depth = 0
	unit = ""
	text = text " "
	for (i = 1; i <= length(text); i++) {
		ch = substr(text, i, 1)
		if (ch == "[") depth++
		if (ch == "]") depth--
		if (ch != " " || depth > 0) {
			unit = unit ch
			continue
		}
		if (unit == "")
			continue
		if (length(line) + length(unit) > 64 && line != lead && line != pad) {
			s = s "    " line "\n"
			line = pad
		}
		line = line unit " "
		unit = ""
	}
	return s "    " line "\n"
}

BEGIN { ncmd = 0; ntbl = 0; cmd = ""; sec = ""; page = ""; prevblank = 1 }

/^\|/ { tbl[++ntbl] = $0; next }
{ flush_table(); isblank = ($0 ~ /^[ \t]*$/) }

/^# / { next }   # the title: the title block replaces it

/^## / {
	cmd = ""
	sec = substr($0, 4)
	if (sec == "COMMANDS") {
		page = page "# COMMANDS\n\n@COMMANDS@\n"
		next
	}
	page = page "# " sec "\n"
	next
}

/^### / && sec == "COMMANDS" {
	split(substr($0, 5), w, " ")
	cmd = w[1]
	cmds[++ncmd] = cmd
	head[cmd] = substr($0, 5)
	next
}

/^####* / { sub(/^#/, ""); emit($0 "\n"); next }

sec == "SYNOPSIS" && /^    berth [a-z]/ { syncmd = $2; syn[syncmd] = $0 "\n" }
sec == "SYNOPSIS" && /^     +[^ ]/ && syncmd != "" { syn[syncmd] = syn[syncmd] $0 "\n" }
sec == "NAME" { sub(/ — /, " - ") }

# go-md2man would take a code block after a list as part of the lists
# last item: an HTML comment (which it drops) ends the list.
/^    / && prevblank && !incode { emit("<!-- -->\n\n"); incode = 1 }
!isblank && !/^    / { incode = 0 }

{ emit($0 "\n"); prevblank = isblank }

END {
	flush_table()
	list = ""
	see = ""
	for (i = 1; i <= ncmd; i++) {
		c = cmds[i]
		list = list "**berth-" c "**(1)\n: " summary(c) "\n\n"
		see = see (i > 1 ? ", " : "") "**berth-" c "**(1)"
	}
	sub(/@COMMANDS@\n/, list, page)
	sub(/# SEE ALSO\n\n/, "# SEE ALSO\n\n" see ",\n", page)
	f = md "/berth.1.md"
	printf "%% BERTH 1 \"\" \"berth %s\" \"berth manual\"\n\n%s", version, page > f
	close(f)
	for (i = 1; i <= ncmd; i++) {
		c = cmds[i]
		f = md "/berth-" c ".1.md"
		s = synopsis(c)
		printf "%% BERTH-%s 1 \"\" \"berth %s\" \"berth manual\"\n\n", toupper(c), version > f
		printf "# NAME\n\nberth-%s - %s\n\n", c, summary(c) > f
		printf "# SYNOPSIS\n\n%s\n", s > f
		printf "\n# DESCRIPTION\n%s\n", desc[c] > f
		if (c in opts)
			printf "# OPTIONS\n\n%s", opts[c] > f
		printf "The global options of **berth**(1) come before the command; "\
			"every command also takes **--help**, **-h**.\n\n" > f
		printf "# SEE ALSO\n\n**berth**(1)\n" > f
		close(f)
	}
}
' "$src"

# go-md2man leaves a code line starting with "." or "'" as a request: \&
# guards it.  preconv turns UTF-8 into groff escapes, so the page is ASCII.
for f in "$md"/*.md; do
	page=$(basename "$f" .md)
	go-md2man -in "$f" -out "$out/$page.raw" 2>&1 |
		{ grep -v 'does not handle node type HTMLBlock' >&2 || true; }
	awk '/^\.nf/ { nf = 1 } /^\.fi/ { nf = 0 }
		nf && /^[.\047]/ && !/^\.nf/ { $0 = "\\&" $0 } { print }' \
		"$out/$page.raw" | preconv -e utf-8 >"$out/$page.tmp"
	rm -f "$out/$page.raw"
	mv "$out/$page.tmp" "$out/$page"
done
