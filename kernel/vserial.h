/*
 * kernel/vserial.h - virtual serial endpoints: the other end of an emulated
 * UART, named "<guest>/<node>". Output goes, line by line, to the host
 * console prefixed with the endpoint's guest name (the terminal will later
 * be able to attach to an endpoint instead).
 */
#ifndef KERNEL_VSERIAL_H
#define KERNEL_VSERIAL_H

#include "kernel/types.h"

#define VMM_VSERIAL_NAME_MAX 96
#define VMM_VSERIAL_LINE_MAX 160

struct vmm_vserial {
	char name[VMM_VSERIAL_NAME_MAX];
	char prefix[VMM_VSERIAL_NAME_MAX];
	char line[VMM_VSERIAL_LINE_MAX];
	u32 len;
	u64 bytes_out, bytes_in;
	/* the device side's receiver: bytes from the host go there */
	void (*input)(void *priv, u8 c);
	void *input_priv;
	struct vmm_vserial *next;	/* all endpoints */
};

struct vmm_vserial *vmm_vserial_create(const char *guest, const char *node);
void vmm_vserial_destroy(struct vmm_vserial *vs);
/* A byte from the guest side. */
void vmm_vserial_putc(struct vmm_vserial *vs, u8 c);
/* Write out a partial line (e.g. when the guest halts). */
void vmm_vserial_flush(struct vmm_vserial *vs);
/* The device model registers where host bytes go (its receiver). */
void vmm_vserial_set_input(struct vmm_vserial *vs, void (*input)(void *priv, u8 c), void *priv);
/* Bytes from the host side to the device; returns how many were taken. */
size_t vmm_vserial_send(struct vmm_vserial *vs, const u8 *buf, size_t len);
/* Endpoint by name ("guest0/uart0"), or NULL; and iteration over all. */
struct vmm_vserial *vmm_vserial_find(const char *name);
struct vmm_vserial *vmm_vserial_first(void);

#endif
