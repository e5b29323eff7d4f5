/*
 * kernel/cmd.c - the command table (every VMM_CMD() linked in, found in the
 * vmm_cmds section), its check, lookup in name order, and running a command
 * line or a ';'-separated script. The commands are in kernel/cmd_*.c.
 */
#include <string.h>
#include "kernel/cmd.h"
#include "kernel/printk.h"
#include "kernel/panic.h"
#include "kernel/error.h"

static bool (*interrupt_check)(void);

void vmm_cmd_set_interrupt_check(bool (*check)(void))
{
	interrupt_check = check;
}

bool vmm_cmd_interrupted(void)
{
	return interrupt_check && interrupt_check();
}


/*
 * The section's bounds: from linker.ld in the kernel, from the linker on
 * the host. Weak: a host test that links no command at all sees an empty
 * table (both NULL) instead of an undefined symbol.
 */
extern const struct vmm_cmd *const __start_vmm_cmds[] __attribute__((weak));
extern const struct vmm_cmd *const __stop_vmm_cmds[] __attribute__((weak));

int vmm_cmd_check_table(const struct vmm_cmd *const *first, const struct vmm_cmd *const *end)
{
	for (const struct vmm_cmd *const *p = first; p < end; p++) {
		const struct vmm_cmd *c = *p;

		if (!c->name || !c->name[0] || !c->usage || !c->usage[0] || !c->summary ||
		    !c->summary[0] || !c->exec) {
			vmm_printk(VMM_LOG_EMERG, "cmd: command '%s' (%s) lacks a usage, summary or function\n",
				   c->name ? c->name : "?", c->file ? c->file : "?");
			return -VMM_EINVALID;
		}
		for (const struct vmm_cmd *const *q = first; q < p; q++)
			if (!strcmp((*q)->name, c->name)) {
				vmm_printk(VMM_LOG_EMERG, "cmd: command '%s' declared twice (%s and %s)\n",
					   c->name, (*q)->file ? (*q)->file : "?", c->file ? c->file : "?");
				return -VMM_EEXIST;
			}
	}
	return VMM_OK;
}

int vmm_cmd_check(void)
{
	return vmm_cmd_check_table(__start_vmm_cmds, __stop_vmm_cmds);
}

/* The table, checked once (the first caller; a repeat is harmless). */
static void table(const struct vmm_cmd *const **first, const struct vmm_cmd *const **end)
{
	static bool checked;

	if (!__atomic_load_n(&checked, __ATOMIC_ACQUIRE)) {
		if (vmm_cmd_check())
			vmm_panic("cmd: the command table is broken (see above)\n");
		__atomic_store_n(&checked, true, __ATOMIC_RELEASE);
	}
	*first = __start_vmm_cmds;
	*end = __stop_vmm_cmds;
}

const struct vmm_cmd *vmm_cmd_find(const char *name)
{
	const struct vmm_cmd *const *p, *const *end;

	table(&p, &end);
	for (; p < end; p++)
		if (!strcmp((*p)->name, name))
			return *p;
	return NULL;
}

u32 vmm_cmd_count(void)
{
	const struct vmm_cmd *const *p, *const *end;

	table(&p, &end);
	return (u32)(end - p);
}

/* The i-th command by name: the table is small (tens), so no sorted copy. */
const struct vmm_cmd *vmm_cmd_sorted(u32 i)
{
	const struct vmm_cmd *const *first, *const *end;
	const struct vmm_cmd *prev = NULL;

	table(&first, &end);
	for (u32 k = 0; k <= i; k++) {
		const struct vmm_cmd *best = NULL;

		for (const struct vmm_cmd *const *p = first; p < end; p++)
			if ((!prev || strcmp((*p)->name, prev->name) > 0) &&
			    (!best || strcmp((*p)->name, best->name) < 0))
				best = *p;
		if (!best)
			return NULL;
		prev = best;
	}
	return prev;
}

int vmm_cmd_exec_line(char *line)
{
	char *argv[VMM_CMD_MAX_ARGS + 1];
	int argc = 0;
	const struct vmm_cmd *c;
	char *p = line;

	while (*p) {
		while (*p == ' ' || *p == '\t')
			*p++ = 0;
		if (!*p)
			break;
		if (argc == VMM_CMD_MAX_ARGS) {
			vmm_printk(VMM_LOG_EMERG, "error: more than %d words in one command\n",
				   VMM_CMD_MAX_ARGS);
			return -VMM_ERANGE;
		}
		argv[argc++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	argv[argc] = NULL;
	if (!argc)
		return VMM_OK;
	c = vmm_cmd_find(argv[0]);
	if (!c) {
		vmm_printk(VMM_LOG_EMERG, "error: unknown command '%s' (try 'help')\n", argv[0]);
		return -VMM_ENOENT;
	}
	return c->exec(argc, argv);
}

int vmm_cmd_exec_script(const char *origin, const char *script)
{
	const char *s = script;
	int rc = VMM_OK;

	while (*s) {
		char line[VMM_CMD_LINE_MAX];
		size_t n;

		while (*s == ' ' || *s == '\t')
			s++;
		n = strcspn(s, ";");

		if (n == 0) {
			/* empty command between separators: nothing to run or echo */
		} else if (n >= sizeof(line)) {
			vmm_printk(VMM_LOG_EMERG, "%s: command longer than %d characters skipped\n",
				   origin, VMM_CMD_LINE_MAX - 1);
			rc = -VMM_ERANGE;
		} else {
			memcpy(line, s, n);
			line[n] = 0;
			vmm_printk(VMM_LOG_EMERG, "%s> %s\n", origin, line);
			int r = vmm_cmd_exec_line(line);

			if (r)
				rc = r;
		}
		s += n;
		if (*s == ';')
			s++;
	}
	return rc;
}
