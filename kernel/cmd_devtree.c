/*
 * kernel/cmd_devtree.c - the "devtree" command on the live configuration
 * tree: "node show|dump|add|del <path>" and "attr show|get|set|del <path>
 * [attr] ...". The first forms (print, get, set, del) still work.
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

#define DEVTREE_USAGE								\
	"usage: devtree node show|dump|add|del <path> | attr show <path> | attr get|del <path> <attr> | "	\
	"attr set <path> <attr> u32|u64|string <value>\n"

/* One line saying what is wrong, the usage line; -VMM_EINVALID. */
static int bad(const char *what, const char *arg)
{
	vmm_printk(VMM_LOG_EMERG, "devtree: %s '%s'\n" DEVTREE_USAGE, what, arg);
	return -VMM_EINVALID;
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

/* "get": one attribute with its type and size, in DTS syntax. */
static int attr_get(const char *path, const char *name)
{
	struct vmm_devtree_node *n = node_or_complain(path);
	struct vmm_devtree_attr *a;

	if (!n)
		return -VMM_ENOENT;
	a = vmm_devtree_attr(n, name);
	if (!a) {
		vmm_printk(VMM_LOG_EMERG, "devtree: %s has no attribute '%s'\n", path, name);
		return -VMM_ENOENT;
	}
	struct vmm_devtree_node tmp = { .name = n->name, .attrs = a };
	struct vmm_devtree_attr *next = a->next;

	a->next = NULL;	/* print just this attribute */
	vmm_printk(VMM_LOG_EMERG, "%s (%s, %u bytes):\n", name, vmm_devtree_type_name(a->type), a->len);
	vmm_devtree_print(&tmp, 0);
	a->next = next;
	return VMM_OK;
}

static int attr_del(const char *path, const char *name)
{
	struct vmm_devtree_node *n = node_or_complain(path);
	int rc;

	if (!n)
		return -VMM_ENOENT;
	rc = vmm_devtree_delattr(n, name);
	if (rc)
		vmm_printk(VMM_LOG_EMERG, "devtree: %s has no attribute '%s'\n", path, name);
	return rc;
}

/* "attr show": every attribute of a node with its type and size. */
static int attr_show(const char *path)
{
	struct vmm_devtree_node *n = node_or_complain(path);
	u32 count = 0;

	if (!n)
		return -VMM_ENOENT;
	for (struct vmm_devtree_attr *a = n->attrs; a; a = a->next) {
		vmm_printk(VMM_LOG_EMERG, "  %-24s %-12s %u bytes\n", a->name, vmm_devtree_type_name(a->type),
			   a->len);
		count++;
	}
	vmm_printk(VMM_LOG_EMERG, "devtree: %s has %u attribute%s\n", path, count, count == 1 ? "" : "s");
	return VMM_OK;
}

/* "node show": the node's attributes (values) and the names of its children. */
static int node_show(const char *path)
{
	struct vmm_devtree_node *n = node_or_complain(path), *c;
	char names[VMM_CMD_LINE_MAX];
	size_t off = 0;
	u32 count = 0;

	if (!n)
		return -VMM_ENOENT;
	struct vmm_devtree_node tmp = { .name = n->name, .parent = n->parent, .attrs = n->attrs };

	vmm_devtree_print(&tmp, 0);
	names[0] = 0;
	vmm_devtree_for_each_child(c, n) {
		if (off < sizeof(names))
			off += vmm_snprintf(names + off, sizeof(names) - off, " %s", c->name);
		count++;
	}
	if (off >= sizeof(names))
		strlcpy(names + sizeof(names) - 5, " ...", 5);
	vmm_printk(VMM_LOG_EMERG, "children (%u):%s\n", count, count ? names : " none");
	return VMM_OK;
}

/* "node add": a new empty child; its parent must exist, the name be valid. */
static int node_add(const char *path)
{
	char parent[VMM_DEVTREE_PATH_MAX];
	const char *slash = strrchr(path, '/'), *name;
	struct vmm_devtree_node *p;

	if (path[0] != '/' || !slash || !slash[1])
		return bad("node add needs an absolute path ending in the new node's name, not", path);
	name = slash + 1;
	if ((size_t)(slash - path) >= sizeof(parent))
		return bad("path too long:", path);
	memcpy(parent, path, slash - path);
	parent[slash - path] = 0;
	if (!parent[0])
		strlcpy(parent, "/", sizeof(parent));
	p = node_or_complain(parent);
	if (!p)
		return -VMM_ENOENT;
	if (!vmm_devtree_valid_node_name(name))
		return bad("node name breaks chapter 2 rules:", name);
	if (vmm_devtree_child(p, name)) {
		vmm_printk(VMM_LOG_EMERG, "devtree: %s exists\n", path);
		return -VMM_EEXIST;
	}
	if (!vmm_devtree_node_new(p, name)) {
		vmm_printk(VMM_LOG_EMERG, "devtree: no memory for node %s\n", path);
		return -VMM_ENOMEM;
	}
	vmm_printk(VMM_LOG_EMERG, "devtree: added %s\n", path);
	return VMM_OK;
}

/* "node del": a node and its subtree, unless it is the root or in use. */
static int node_del(const char *path)
{
	struct vmm_devtree_node *n = node_or_complain(path);

	if (!n)
		return -VMM_ENOENT;
	if (!n->parent) {
		vmm_printk(VMM_LOG_EMERG, "devtree: the root node cannot be deleted\n");
		return -VMM_EILLEGAL;
	}
	if (vmm_config_uses_node(vmm_config(), n)) {
		vmm_printk(VMM_LOG_EMERG,
			   "devtree: %s is (or holds) the configuration of an accepted guest; not deleted\n",
			   path);
		return -VMM_EBUSY;
	}
	vmm_devtree_node_free(n);
	return VMM_OK;
}

static int node_dump(const char *path)
{
	struct vmm_devtree_node *n = node_or_complain(path);

	if (!n)
		return -VMM_ENOENT;
	vmm_devtree_print(n, 0);
	return VMM_OK;
}

/* "devtree node ...": argv[1] is "node". */
static int cmd_node(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(const char *path);
	} ops[] = { { "show", node_show }, { "dump", node_dump }, { "add", node_add }, { "del", node_del } };

	if (argc < 3)
		return bad("node needs show, dump, add or del; got", "nothing");
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		if (strcmp(argv[2], ops[i].name))
			continue;
		if (argc < 4 && strcmp(argv[2], "dump"))
			return bad("node needs a path after", argv[2]);
		if (argc > 4)
			return bad("unexpected argument", argv[4]);
		return ops[i].fn(argc == 4 ? argv[3] : "/");
	}
	return bad("unknown node operation", argv[2]);
}

/* "devtree attr ...": argv[1] is "attr". */
static int cmd_attr(int argc, char **argv)
{
	const char *op = argc > 2 ? argv[2] : "";
	struct vmm_devtree_node *n;

	if (argc < 3)
		return bad("attr needs show, get, set or del; got", "nothing");
	if (strcmp(op, "show") && strcmp(op, "get") && strcmp(op, "set") && strcmp(op, "del"))
		return bad("unknown attr operation", op);
	if (argc < 4)
		return bad("attr needs a path after", op);
	if (!strcmp(op, "show"))
		return argc == 4 ? attr_show(argv[3]) : bad("unexpected argument", argv[4]);
	if (argc < 5)
		return bad("attr needs an attribute name after", argv[3]);
	if (!strcmp(op, "get"))
		return argc == 5 ? attr_get(argv[3], argv[4]) : bad("unexpected argument", argv[5]);
	if (!strcmp(op, "del"))
		return argc == 5 ? attr_del(argv[3], argv[4]) : bad("unexpected argument", argv[5]);
	if (argc < 7)
		return bad("attr set needs a type (u32, u64, string) and a value after", argv[4]);
	n = node_or_complain(argv[3]);
	/* devtree_set() reads argv[2..]: path, attribute, type, value words */
	return n ? devtree_set(n, argc - 1, argv + 1) : -VMM_ENOENT;
}

static int cmd_devtree(int argc, char **argv)
{
	struct vmm_devtree_node *n;

	if (!vmm_devtree_root()) {
		vmm_printk(VMM_LOG_EMERG, "devtree: no configuration loaded\n");
		return -VMM_ENOENT;
	}
	if (argc >= 2 && !strcmp(argv[1], "node"))
		return cmd_node(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "attr"))
		return cmd_attr(argc, argv);
	/* the first forms */
	if (argc >= 2 && !strcmp(argv[1], "print") && argc <= 3)
		return node_dump(argc == 3 ? argv[2] : "/");
	if (argc == 4 && !strcmp(argv[1], "get"))
		return attr_get(argv[2], argv[3]);
	if (argc >= 6 && !strcmp(argv[1], "set")) {
		n = node_or_complain(argv[2]);
		return n ? devtree_set(n, argc, argv) : -VMM_ENOENT;
	}
	if (argc == 4 && !strcmp(argv[1], "del"))
		return attr_del(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "del"))
		return node_del(argv[2]);
	return bad("not a devtree command:", argc > 1 ? argv[1] : "nothing");
}

VMM_CMD(devtree, "devtree node|attr|print|get|set|del ...",
	"show or change the configuration tree: nodes and attributes", cmd_devtree);
