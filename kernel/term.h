/*
 * kernel/term.h - the management terminal: a hypervisor thread on the
 * boot CPU that reads the host console, edits lines (kernel/term_line.h)
 * and runs them as commands (kernel/cmd.h), with tab completion of command
 * names, subcommands, guest, VCPU and serial endpoint names.
 */
#ifndef KERNEL_TERM_H
#define KERNEL_TERM_H

#include "kernel/types.h"

struct term_complete;

#define VMM_TERM_PROMPT "xvisor# "

/* Create and start the terminal thread; a negative VMM_E* code if not. */
int vmm_term_start(void);
/*
 * Bind the terminal to the guest console 'name' ("guest/uart0"): keys go
 * to the guest through the endpoint's input queue, its output comes to the
 * terminal as it is, other guests' console lines are held back (kept in
 * their rings, counted and named at the end); returns when ESC x q is typed
 * or the endpoint goes away. Only from the terminal thread (a command it
 * runs); -VMM_ENOENT, -VMM_ENOSYS
 * (no input), -VMM_EBUSY as vmm_vserial_attach_name(), not printed: the
 * caller (the vserial command) names the refusal. From another thread (the
 * boot commands: bootcmd "guest kick all; vserial bind linux/uart0"), an
 * endpoint that takes input is bound by the terminal thread first thing
 * when it starts (after the boot commands), or at once when it runs
 * already; VMM_OK is returned without waiting.
 */
int vmm_term_bind(const char *name);
/*
 * The completion callback of the terminal's editor (term_line.h's
 * term_complete_fn): word 0 the command names, word 1 the subcommands of
 * the command's usage line ("guest list|create|...") or, after help, the
 * command names; later words the guest names (guest ...), VCPU names
 * (vcpu ...) or serial endpoint names (vserial ...).
 */
void vmm_term_complete(void *ctx, int word_index, char **words, struct term_complete *c);

#endif
