#include "util/build_id.h"

#include <elf.h>
#include <errno.h>
#include <link.h>
#include <stdbool.h>
#include <string.h>

struct search {
	const char *object; /* NULL: the program */
	bool found;
	const unsigned char *id;
	size_t len;
};

#define NOTE_ALIGN(n) (((n) + 3) & ~(size_t)3)

static void scan_notes(const unsigned char *p, size_t size, struct search *s)
{
	while (size >= sizeof(ElfW(Nhdr))) {
		const ElfW(Nhdr) *n = (const void *)p;
		size_t name = NOTE_ALIGN(n->n_namesz);
		size_t total = sizeof(*n) + name + NOTE_ALIGN(n->n_descsz);
		if (total > size)
			return;
		if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 &&
		    memcmp(p + sizeof(*n), "GNU", 4) == 0 && n->n_descsz > 0) {
			s->id = p + sizeof(*n) + name;
			s->len = n->n_descsz;
			return;
		}
		p += total;
		size -= total;
	}
}

/* dl_iterate_phdr() reports the program first. */
static int visit(struct dl_phdr_info *info, size_t size, void *data)
{
	struct search *s = data;
	(void)size;
	if (s->object != NULL &&
	    (info->dlpi_name == NULL || !strstr(info->dlpi_name, s->object)))
		return 0;
	s->found = true;
	for (ElfW(Half) i = 0; i < info->dlpi_phnum && s->id == NULL; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_NOTE)
			scan_notes(
			    (const void *)(info->dlpi_addr + ph->p_vaddr),
			    ph->p_memsz, s);
	}
	return 1;
}

int build_id(const char *object, const unsigned char **ret, size_t *ret_len)
{
	struct search s = {.object = object};
	dl_iterate_phdr(visit, &s);
	if (!s.found)
		return -ENOENT;
	if (s.id == NULL)
		return -ENODATA;
	*ret = s.id;
	*ret_len = s.len;
	return 0;
}
