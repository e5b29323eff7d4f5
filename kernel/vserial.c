/*
 * kernel/vserial.c - virtual serial endpoints (vserial.h).
 */
#include <string.h>
#include "kernel/vserial.h"
#include "kernel/heap.h"
#include "kernel/printk.h"

struct vmm_vserial *vmm_vserial_create(const char *guest, const char *node)
{
	struct vmm_vserial *vs = vmm_zalloc(sizeof(*vs));

	if (!vs)
		return NULL;
	vmm_snprintf(vs->name, sizeof(vs->name), "%s/%s", guest, node);
	vmm_snprintf(vs->prefix, sizeof(vs->prefix), "%s", guest);
	return vs;
}

void vmm_vserial_destroy(struct vmm_vserial *vs)
{
	if (!vs)
		return;
	vmm_vserial_flush(vs);
	vmm_free(vs);
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
