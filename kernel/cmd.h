/*
 * kernel/cmd.h - the hypervisor's commands. Commands run from the bootcmd=
 * hook and from the management terminal; each is declared once, in its own
 * file, with VMM_CMD(): no central list to edit.
 *
 * How it works: VMM_CMD(name, ...) defines `const struct vmm_cmd
 * vmm_cmd_<name>` and puts a pointer to it into the section `vmm_cmds`.
 * kernel/cmd.c walks that section between __start_vmm_cmds and
 * __stop_vmm_cmds: linker.ld defines them in the kernel image (a KEEP'd
 * output section); on the host (unit tests) GNU ld provides them itself for
 * any section whose name is a C identifier. The section holds pointers, not
 * the structures, so that no compiler padding or sanitizer redzone can break
 * the walk.
 *
 * Duplicate names: two VMM_CMD(x, ...) anywhere in the kernel fail the link
 * ("multiple definition of `vmm_cmd_x'"); vmm_cmd_check() also refuses them
 * (and an empty usage or summary) with the files named, at the first use.
 *
 * Unit tests link the kernel from a static archive, which only brings in an
 * object some symbol of the test refers to. A test that runs a command
 * declared in another file says VMM_CMD_USE(name) once at file scope: that
 * references vmm_cmd_<name> and so links the command's object (and its
 * section entry) into the test.
 */
#ifndef KERNEL_CMD_H
#define KERNEL_CMD_H

#include "kernel/types.h"

#define VMM_CMD_MAX_ARGS 16
#define VMM_CMD_LINE_MAX 256

struct vmm_cmd {
	const char *name;
	const char *usage;	/* one line: "name <args>" */
	const char *summary;	/* one line: what it does */
	int (*exec)(int argc, char **argv);
	const char *file;	/* where it is declared (for the duplicate check) */
};

/*
 * Declare command 'name' (a C identifier: the command's name is its
 * spelling) at file scope, once, in the file that implements it. The usage
 * and summary are string literals (checked when compiling); the usage
 * starts with the name (checked by tests/unit/test_cmd.c).
 */
#define VMM_CMD(name_, usage_, summary_, fn_)					\
	_Static_assert(sizeof(usage_) > sizeof(#name_) - 1 && sizeof(summary_) > 1,	\
		       "VMM_CMD(" #name_ "): usage and summary are string literals, "	\
		       "the usage at least as long as the name");			\
	const struct vmm_cmd vmm_cmd_##name_ = {				\
		.name = #name_, .usage = usage_, .summary = summary_,		\
		.exec = fn_, .file = __FILE__,					\
	};									\
	static const struct vmm_cmd *const vmm_cmd_entry_##name_		\
	__attribute__((used, section("vmm_cmds"), aligned(sizeof(void *)))) =	\
		&vmm_cmd_##name_

/* In a unit test: link the object that declares command 'name'. */
#define VMM_CMD_USE(name_) VMM_CMD_USE_(name_, __COUNTER__)
#define VMM_CMD_USE_(name_, n_) VMM_CMD_USE__(name_, n_)
#define VMM_CMD_USE__(name_, n_)						\
	extern const struct vmm_cmd vmm_cmd_##name_;				\
	static const struct vmm_cmd *const vmm_cmd_use_##name_##_##n_		\
	__attribute__((used)) = &vmm_cmd_##name_

/*
 * Ctrl-C: a command that can run for long (sleep, guest wait) asks
 * vmm_cmd_interrupted() now and then and stops with -VMM_EINTR when it says
 * so. The terminal registers the check (it looks at what was typed
 * meanwhile, for the thread it runs commands in); elsewhere (bootcmd=) the
 * answer is false.
 */
bool vmm_cmd_interrupted(void);
void vmm_cmd_set_interrupt_check(bool (*check)(void));
/* Sleep 'ms' milliseconds in short steps, stopping early at a Ctrl-C:
 * VMM_OK or -VMM_EINTR. */
int vmm_cmd_sleep_ms(u64 ms);

/* Split 'line' (modified in place) into words and run the command. */
int vmm_cmd_exec_line(char *line);
/* Run each ';'-separated command of 'script' in order, echoing it first. */
int vmm_cmd_exec_script(const char *origin, const char *script);
const struct vmm_cmd *vmm_cmd_find(const char *name);
/* How many commands are linked in; the i-th in name order (NULL past the end). */
u32 vmm_cmd_count(void);
const struct vmm_cmd *vmm_cmd_sorted(u32 i);
/*
 * Check a table of commands: every name, usage and summary given, and no
 * name twice (printed with the two files). VMM_OK or -VMM_EEXIST /
 * -VMM_EINVALID. vmm_cmd_check() checks the linked-in table; cmd.c runs it
 * on first use and panics if it fails.
 */
int vmm_cmd_check_table(const struct vmm_cmd *const *first, const struct vmm_cmd *const *end);
int vmm_cmd_check(void);

#endif
