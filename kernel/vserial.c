/*
 * kernel/vserial.c - virtual serial endpoints (vserial.h).
 */
#include <string.h>
#include "kernel/vserial.h"
#include "kernel/heap.h"
#include "kernel/printk.h"

static struct vmm_vserial *all_endpoints;

struct vmm_vserial *vmm_vserial_create(const char *guest, const char *node)
{
	struct vmm_vserial *vs = vmm_zalloc(sizeof(*vs));

	if (!vs)
		return NULL;
	vmm_snprintf(vs->name, sizeof(vs->name), "%s/%s", guest, node);
	vmm_snprintf(vs->prefix, sizeof(vs->prefix), "%s", guest);
	vs->next = all_endpoints;
	all_endpoints = vs;
	return vs;
}

void vmm_vserial_destroy(struct vmm_vserial *vs)
{
	struct vmm_vserial **link;

	if (!vs)
		return;
	vmm_vserial_flush(vs);
	for (link = &all_endpoints; *link && *link != vs; link = &(*link)->next)
		;
	if (*link)
		*link = vs->next;
	vmm_free(vs);
}

void vmm_vserial_set_input(struct vmm_vserial *vs, void (*input)(void *priv, u8 c), void *priv)
{
	vs->input_priv = priv;
	vs->input = input;
}

size_t vmm_vserial_send(struct vmm_vserial *vs, const u8 *buf, size_t len)
{
	if (!vs->input)
		return 0;
	for (size_t i = 0; i < len; i++)
		vs->input(vs->input_priv, buf[i]);
	vs->bytes_in += len;
	return len;
}

struct vmm_vserial *vmm_vserial_find(const char *name)
{
	for (struct vmm_vserial *vs = all_endpoints; vs; vs = vs->next)
		if (!strcmp(vs->name, name))
			return vs;
	return NULL;
}

struct vmm_vserial *vmm_vserial_first(void)
{
	return all_endpoints;
}

void vmm_vserial_flush(struct vmm_vserial *vs)
{
	if (!vs->len)
		return;
	vmm_printk(VMM_LOG_EMERG, "%s: %.*s\n", vs->prefix, (int)vs->len, vs->line);
	vs->len = 0;
}

void vmm_vserial_putc(struct vmm_vserial *vs, u8 c)
{
	vs->bytes_out++;
	if (c == '\n') {
		if (!vs->len)
			vmm_printk(VMM_LOG_EMERG, "%s: \n", vs->prefix);
		vmm_vserial_flush(vs);
		return;
	}
	if (c == '\r')
		return;
	/* show control characters as '.', so a guest cannot drive the host terminal */
	vs->line[vs->len++] = (c >= 0x20 && c < 0x7f) || c == '\t' ? (char)c : '.';
	if (vs->len == sizeof(vs->line))
		vmm_vserial_flush(vs);
}
