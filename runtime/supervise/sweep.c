/* rt_sweep_stopped(): what a SIGKILLed berth and watcher left (see
 * supervise.h). */
#include <string.h>

#include "runtime/container.h"
#include "runtime/supervise/supervise.h"

int rt_sweep_stopped(const struct rt_context *ctx, const char *prefix,
		     struct berth_error *err)
{
	struct rt_list_entry *v = NULL;
	size_t n = 0;
	int r = rt_list(ctx, &v, &n, err);
	if (r < 0)
		return r;
	int removed = 0;
	size_t plen = strlen(prefix);
	for (size_t i = 0; i < n; i++) {
		const char *id = v[i].state != NULL ? v[i].state->id : NULL;
		if (id == NULL || strncmp(id, prefix, plen) != 0 ||
		    v[i].status != OCI_STATUS_STOPPED)
			continue;
		struct berth_error e = {0};
		if (rt_delete(ctx, id, true, &e) == 0)
			removed++;
	}
	rt_list_free(v, n);
	return removed;
}
