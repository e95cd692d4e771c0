/*
 * config.json .root and .mounts.  A mount's uidMappings/gidMappings reuse the
 * id mapping table of config_linux.c.
 */
#include "oci/config_internal.h"

static const struct field root_fields[] = {
    FLD("path", F_STR, struct oci_root, path, .flags = FL_REQ),
    FLD("readonly", F_BOOL, struct oci_root, readonly),
};
SHARED_DESC(ocp_root_desc, struct oci_root, root_fields, NULL);

static const struct field mount_fields[] = {
    FLD("destination", F_STR, struct oci_mount, destination, .flags = FL_REQ),
    FLD("source", F_STR, struct oci_mount, source),
    FLD("type", F_STR, struct oci_mount, type),
    FLD("options", F_STRV, struct oci_mount, options),
    ARR("uidMappings", struct oci_mount, uid_mappings, ocp_idmap_desc,
	.post = ocp_idmaps_post),
    ARR("gidMappings", struct oci_mount, gid_mappings, ocp_idmap_desc,
	.post = ocp_idmaps_post),
};
SHARED_DESC(ocp_mount_desc, struct oci_mount, mount_fields, NULL);
