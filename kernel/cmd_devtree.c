/*
 * kernel/cmd_devtree.c - the "devtree" command: print, get, set, del on
 * the live configuration tree.
 */
#include <string.h>
#include <stdlib.h>
#include "kernel/cmd.h"
#include "kernel/devtree.h"
#include "kernel/config.h"
#include "kernel/printk.h"
#include "kernel/error.h"

static struct vmm_devtree_node *node_or_complain(const char *path)
{
	struct vmm_devtree_node *n = vmm_devtree_find(vmm_devtree_root(), path);

	if (!n)
		vmm_printk(VMM_LOG_EMERG, "devtree: no node '%s'\n", path);
	return n;
}

static int parse_u64(const char *s, u64 *out)
{
	char *end;

	*out = strtoull(s, &end, 0);
	return (*s && !*end) ? VMM_OK : -VMM_EINVALID;
}

static int devtree_set(struct vmm_devtree_node *n, int argc, char **argv)
{
	const char *attr = argv[3], *type = argv[4];
	u64 v;
	int rc;

	if (!strcmp(type, "string")) {
		char buf[VMM_CMD_LINE_MAX];
		size_t off = 0;

		for (int i = 5; i < argc; i++)
			off += vmm_snprintf(buf + off, sizeof(buf) - off, "%s%s", i > 5 ? " " : "", argv[i]);
		rc = vmm_devtree_setattr(n, attr, VMM_DEVTREE_STRING, buf, strlen(buf) + 1);
	} else if (!strcmp(type, "u32") || !strcmp(type, "u64")) {
		if (argc != 6 || parse_u64(argv[5], &v)) {
			vmm_printk(VMM_LOG_EMERG, "devtree set: '%s' is not a number\n",
				   argc > 5 ? argv[5] : "");
			return -VMM_EINVALID;
		}
		if (type[1] == '3') {
			u32 v32 = (u32)v;

			if (v > 0xFFFFFFFFULL) {
				vmm_printk(VMM_LOG_EMERG, "devtree set: %s does not fit in u32\n", argv[5]);
				return -VMM_ERANGE;
			}
			rc = vmm_devtree_setattr(n, attr, VMM_DEVTREE_U32, &v32, 4);
		} else {
			rc = vmm_devtree_setattr(n, attr, VMM_DEVTREE_U64, &v, 8);
		}
	} else {
		vmm_printk(VMM_LOG_EMERG, "devtree set: type '%s' is not u32, u64 or string\n", type);
		return -VMM_EINVALID;
	}
	if (rc)
		vmm_printk(VMM_LOG_EMERG, "devtree set: %s\n",
			   rc == -VMM_EINVALID ? "attribute name breaks chapter 2 rules" : vmm_strerror(rc));
	return rc;
}

static int cmd_devtree(int argc, char **argv)
{
	struct vmm_devtree_node *n;
	struct vmm_devtree_attr *a;

	if (!vmm_devtree_root()) {
		vmm_printk(VMM_LOG_EMERG, "devtree: no configuration loaded\n");
		return -VMM_ENOENT;
	}
	if (argc >= 2 && !strcmp(argv[1], "print") && argc <= 3) {
		n = node_or_complain(argc == 3 ? argv[2] : "/");
		if (!n)
			return -VMM_ENOENT;
		vmm_devtree_print(n, 0);
		return VMM_OK;
	}
	if (argc == 4 && !strcmp(argv[1], "get")) {
		n = node_or_complain(argv[2]);
		if (!n)
			return -VMM_ENOENT;
		a = vmm_devtree_attr(n, argv[3]);
		if (!a) {
			vmm_printk(VMM_LOG_EMERG, "devtree: %s has no attribute '%s'\n", argv[2], argv[3]);
			return -VMM_ENOENT;
		}
		struct vmm_devtree_node tmp = { .name = n->name, .attrs = a };
		struct vmm_devtree_attr *next = a->next;

		a->next = NULL;	/* print just this attribute */
		vmm_printk(VMM_LOG_EMERG, "%s (%s, %u bytes):\n", argv[3],
			   vmm_devtree_type_name(a->type), a->len);
		vmm_devtree_print(&tmp, 0);
		a->next = next;
		return VMM_OK;
	}
	if (argc >= 6 && !strcmp(argv[1], "set")) {
		n = node_or_complain(argv[2]);
		return n ? devtree_set(n, argc, argv) : -VMM_ENOENT;
	}
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "del")) {
		n = node_or_complain(argv[2]);
		if (!n)
			return -VMM_ENOENT;
		if (argc == 4) {
			int rc = vmm_devtree_delattr(n, argv[3]);

			if (rc)
				vmm_printk(VMM_LOG_EMERG, "devtree: %s has no attribute '%s'\n",
					   argv[2], argv[3]);
			return rc;
		}
		if (!n->parent) {
			vmm_printk(VMM_LOG_EMERG, "devtree: the root node cannot be deleted\n");
			return -VMM_EILLEGAL;
		}
		if (vmm_config_uses_node(vmm_config(), n)) {
			vmm_printk(VMM_LOG_EMERG,
				   "devtree: %s is (or holds) the configuration of an accepted guest; not deleted\n",
				   argv[2]);
			return -VMM_EBUSY;
		}
		vmm_devtree_node_free(n);
		return VMM_OK;
	}
	vmm_printk(VMM_LOG_EMERG,
		   "usage: devtree print [path] | get <path> <attr> | set <path> <attr> u32|u64|string <value> | del <path> [attr]\n");
	return -VMM_EINVALID;
}

VMM_CMD(devtree, "devtree print|get|set|del ...",
	"show or change the configuration tree", cmd_devtree);
