/*
 * kernel/cmd.c - the command table and its first commands: help, echo,
 * version, meminfo, poweroff.
 */
#include <string.h>
#include "kernel/cmd.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/version.h"
#include "kernel/host_mem.h"
#include "kernel/heap.h"
#include "kernel/vserial.h"
#include "kernel/arch_cpu.h"

static int cmd_help(int argc, char **argv);

static int cmd_echo(int argc, char **argv)
{
	char line[VMM_CMD_LINE_MAX + 1];
	size_t off = 0;

	/* one printk: other CPUs' output never lands inside the line */
	line[0] = 0;
	for (int i = 1; i < argc && off < sizeof(line); i++)
		off += vmm_snprintf(line + off, sizeof(line) - off, "%s%s", argv[i],
				    i + 1 < argc ? " " : "");
	vmm_printk(VMM_LOG_EMERG, "%s\n", line);
	return VMM_OK;
}

static int cmd_version(int argc __unused, char **argv __unused)
{
	vmm_printk(VMM_LOG_EMERG, "%s %s (%s)\n", VMM_NAME, VMM_VERSION, VMM_BUILD_ID);
	return VMM_OK;
}

/*
 * Host memory and heap. The last line is the leak check of guest destroy:
 * the pages in use that the heap does not hold (its small-object pages stay
 * with it after a free, so "KiB free" alone drops once without a leak), the
 * live heap objects and the vserial endpoints; after destroying a guest it
 * reads as before the guest was created.
 */
static int cmd_meminfo(int argc __unused, char **argv __unused)
{
	struct vmm_buddy *b = vmm_host_buddy();
	struct vmm_heap *h = vmm_kernel_heap();
	u64 used = b->total_pages - b->free_pages;

	/* one printk: another CPU's output never splits the report */
	vmm_printk(VMM_LOG_EMERG, "pages: %llu KiB managed, %llu KiB free, %u zones\n"
		   "heap: %llu objects, %llu bytes in use, %llu pages held\n"
		   "in use: %llu pages outside the heap, %llu heap objects, %u vserial endpoints\n",
		   (unsigned long long)(b->total_pages * PAGE_SIZE / KiB),
		   (unsigned long long)(b->free_pages * PAGE_SIZE / KiB), b->nr_zones,
		   (unsigned long long)h->objects_in_use,
		   (unsigned long long)h->bytes_in_use, (unsigned long long)h->pages_taken,
		   (unsigned long long)(used > h->pages_taken ? used - h->pages_taken : 0),
		   (unsigned long long)h->objects_in_use, vmm_vserial_count());
	return VMM_OK;
}

static int cmd_poweroff(int argc __unused, char **argv __unused)
{
	vmm_printk(VMM_LOG_EMERG, "powering off\n");
	arch_power_off();
}

static const struct vmm_cmd commands[] = {
	{ "help", "help [command]", "list commands or show one command's usage", cmd_help },
	{ "echo", "echo [text...]", "print the text", cmd_echo },
	{ "version", "version", "print the hypervisor version", cmd_version },
	{ "meminfo", "meminfo", "host page allocator and heap usage", cmd_meminfo },
	{ "poweroff", "poweroff", "power the machine off", cmd_poweroff },
};

#define MAX_EXTRA_CMDS 32
static const struct vmm_cmd *extra_commands[MAX_EXTRA_CMDS];
static u32 nr_extra_commands;

int vmm_cmd_register(const struct vmm_cmd *cmd)
{
	if (vmm_cmd_find(cmd->name))
		return -VMM_EEXIST;
	if (nr_extra_commands >= MAX_EXTRA_CMDS)
		return -VMM_ENOSPC;
	extra_commands[nr_extra_commands++] = cmd;
	return VMM_OK;
}

const struct vmm_cmd *vmm_cmd_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	for (u32 i = 0; i < nr_extra_commands; i++)
		if (!strcmp(extra_commands[i]->name, name))
			return extra_commands[i];
	return NULL;
}

/* The i-th command (built-in first, then registered), NULL past the end:
 * for the terminal's completion (kernel/term.c). */
const struct vmm_cmd *vmm_cmd_by_index(u32 i)
{
	if (i < ARRAY_SIZE(commands))
		return &commands[i];
	i -= ARRAY_SIZE(commands);
	return i < nr_extra_commands ? extra_commands[i] : NULL;
}

static int cmd_help(int argc, char **argv)
{
	if (argc > 1) {
		const struct vmm_cmd *c = vmm_cmd_find(argv[1]);

		if (!c) {
			vmm_printk(VMM_LOG_EMERG, "help: no command '%s'\n", argv[1]);
			return -VMM_ENOENT;
		}
		vmm_printk(VMM_LOG_EMERG, "usage: %s\n  %s\n", c->usage, c->summary);
		return VMM_OK;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		vmm_printk(VMM_LOG_EMERG, "  %-24s %s\n", commands[i].usage, commands[i].summary);
	for (u32 i = 0; i < nr_extra_commands; i++)
		vmm_printk(VMM_LOG_EMERG, "  %-24s %s\n", extra_commands[i]->usage,
			   extra_commands[i]->summary);
	return VMM_OK;
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
