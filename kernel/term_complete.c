/*
 * kernel/term_complete.c - what the terminal's Tab offers (term.h):
 * command names, subcommands read from each command's usage line, and the
 * names of guests, VCPUs and serial endpoints.
 */
#include <string.h>
#include "kernel/term.h"
#include "kernel/term_line.h"
#include "kernel/cmd.h"
#include "kernel/manager.h"
#include "kernel/vserial.h"

/* Is 'c' a character of a plain subcommand word? */
static bool word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/*
 * The subcommands of a usage line: the alternatives of its second word,
 * "guest list|create|kick ..." or "vserial list | send <endpoint>"; only
 * plain words count (no "<name>", "[path]").
 */
static void add_subcommands(const char *usage, struct term_complete *c)
{
	const char *p = strchr(usage, ' ');
	char word[32];

	while (p && *p) {
		size_t n = 0;
		bool plain = true;

		while (*p == ' ' || *p == '|')
			p++;
		while (*p && *p != ' ' && *p != '|') {
			if (!word_char(*p))
				plain = false;
			if (n < sizeof(word) - 1)
				word[n++] = *p;
			p++;
		}
		word[n] = 0;
		if (n && plain && n < sizeof(word) - 1)
			term_complete_add(c, word);
		/* past this word: go on only across a '|' (another alternative) */
		while (*p == ' ')
			p++;
		if (*p != '|') {
			/* "a | b <x> | c <y>": skip the arguments up to the next '|' */
			p = strchr(p, '|');
		}
	}
}

static void add_commands(struct term_complete *c)
{
	const struct vmm_cmd *cmd;

	for (u32 i = 0; (cmd = vmm_cmd_sorted(i)); i++)
		term_complete_add(c, cmd->name);
}

static void add_guests(struct term_complete *c)
{
	for (u32 i = 0; i < vmm_manager_guest_count(); i++) {
		struct vmm_guest *g = vmm_manager_guest(i);

		if (g)
			term_complete_add(c, g->name);
	}
	term_complete_add(c, "all");
}

static void add_vcpus(struct term_complete *c)
{
	for (u32 i = 0; i < vmm_manager_vcpu_count(); i++) {
		struct vmm_vcpu *v = vmm_manager_vcpu(i);

		if (v)
			term_complete_add(c, v->name);
	}
}

static void add_vserial(struct vmm_vserial *vs, void *arg)
{
	term_complete_add(arg, vs->name);
}

void vmm_term_complete(void *ctx, int wi, char **words, struct term_complete *c)
{
	const struct vmm_cmd *cmd;

	(void)ctx;
	if (wi == 0) {
		add_commands(c);
		return;
	}
	cmd = vmm_cmd_find(words[0]);
	if (!cmd)
		return;
	if (!strcmp(cmd->name, "help")) {
		if (wi == 1)
			add_commands(c);
		return;
	}
	if (wi == 1) {
		add_subcommands(cmd->usage, c);
		return;
	}
	if (!strcmp(cmd->name, "guest"))
		add_guests(c);
	else if (!strcmp(cmd->name, "vcpu"))
		add_vcpus(c);
	else if (!strcmp(cmd->name, "vserial"))
		vmm_vserial_for_each(add_vserial, c);
}
