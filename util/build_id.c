#include "util/build_id.h"

#include <elf.h>
#include <errno.h>
#include <link.h>
#include <string.h>

struct found {
	const unsigned char *id;
	size_t len;
};

#define NOTE_ALIGN(n) (((n) + 3) & ~(size_t)3)

static void scan_notes(const unsigned char *p, size_t size, struct found *f)
{
	while (size >= sizeof(ElfW(Nhdr))) {
		const ElfW(Nhdr) *n = (const void *)p;
		size_t name = NOTE_ALIGN(n->n_namesz),
		       desc = NOTE_ALIGN(n->n_descsz);
		size_t total = sizeof(*n) + name + desc;
		if (total > size)
			return;
		if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 &&
		    memcmp(p + sizeof(*n), "GNU", 4) == 0 && n->n_descsz > 0) {
			f->id = p + sizeof(*n) + name;
			f->len = n->n_descsz;
			return;
		}
		p += total;
		size -= total;
	}
}

/* The first object dl_iterate_phdr() reports is the program itself. */
static int first_object(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_NOTE)
			scan_notes(
			    (const void *)(info->dlpi_addr + ph->p_vaddr),
			    ph->p_memsz, data);
	}
	return 1;
}

int self_build_id(const unsigned char **ret, size_t *ret_len)
{
	struct found f = {0};
	dl_iterate_phdr(first_object, &f);
	if (f.id == NULL)
		return -ENOENT;
	*ret = f.id;
	*ret_len = f.len;
	return 0;
}
