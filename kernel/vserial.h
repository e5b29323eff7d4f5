/*
 * kernel/vserial.h - virtual serial endpoints: the other end of an emulated
 * UART or of the hypercall console, named "<guest>/<node>".
 *
 * Output (the guest side's bytes) always goes into the endpoint's ring of
 * the most recent VMM_VSERIAL_RING bytes ('vserial dump'), and then to one
 * sink: by default the host console, line by line as "<guest>: <text>"
 * through the console writer (kernel/console.h: whole lines, never through
 * printk or its log level; '\r' dropped, other control bytes shown as '.',
 * lines longer than VMM_VSERIAL_LINE_MAX cut into several), or byte by byte
 * the one sink bound to the endpoint (the management terminal).
 *
 * Input (host to guest: `vserial send`, the bound terminal) goes into the
 * endpoint's input queue of VMM_VSERIAL_INQ bytes and from there to the
 * device's receiver as fast as the receiver takes it: the device's input
 * function refuses a byte while its receiver is full, and the device calls
 * vmm_vserial_input_ready() when it has room again (its lock not held).
 * So the host side is flow-controlled, as QEMU's serial back ends are: the
 * guest never loses typed bytes to a receiver overrun; a send finding the
 * queue full takes what fits and says so.
 *
 * Muting: while the terminal is bound to one endpoint, the other endpoints'
 * lines are not shown on the console (vmm_vserial_mute()); they stay in
 * their rings and are counted, so the terminal can say what it held back.
 *
 * Lifetime: the device model creates its endpoint at probe and unregisters
 * it at remove (guest destroy). The list of endpoints, the sink binding
 * and the host-to-device path (vmm_vserial_send_name) are under one lock,
 * so a command naming an endpoint never reaches one being unregistered.
 * Lock order: the vserial lock, then an endpoint's input lock, then the
 * device model's own lock (the device's input function runs under the
 * input lock). The output side
 * (putc, flush, the ring, the sink pointer) is under the endpoint's own
 * output lock, taken inside the vserial lock and the device's lock and
 * before the console lock; a sink's putc runs under it. The endpoint lives
 * as long as its device. A pointer from vmm_vserial_find() is valid only
 * until the endpoint's guest is destroyed.
 */
#ifndef KERNEL_VSERIAL_H
#define KERNEL_VSERIAL_H

#include "kernel/types.h"
#include "kernel/spinlock.h"

#define VMM_VSERIAL_NAME_MAX 96
#define VMM_VSERIAL_LINE_MAX 160
#define VMM_VSERIAL_RING 4096	/* recent output kept per endpoint */
#define VMM_VSERIAL_INQ 1024	/* host bytes waiting for the receiver */

struct vmm_vserial;

/* Something that takes an endpoint's output instead of the console. */
struct vmm_vserial_sink {
	/* a byte from the guest side (any CPU, device lock and the endpoint's
	 * output lock held: be short, call no vserial function) */
	void (*putc)(struct vmm_vserial_sink *sink, u8 c);
	/* the endpoint goes away (unregistered): no putc after this call */
	void (*detached)(struct vmm_vserial_sink *sink, struct vmm_vserial *vs);
	void *priv;
};

struct vmm_vserial {
	char name[VMM_VSERIAL_NAME_MAX];
	char prefix[VMM_VSERIAL_NAME_MAX];
	vmm_spinlock_t out_lock;	/* line, len, ring, bytes_out, sink */
	char line[VMM_VSERIAL_LINE_MAX];	/* the console line so far */
	u32 len;
	u8 ring[VMM_VSERIAL_RING];	/* output byte i at ring[i % VMM_VSERIAL_RING] */
	u64 bytes_out, bytes_in;
	u64 lines_muted;		/* console lines held back while muted */
	/* the device side's receiver: bytes from the host go there; false:
	 * full now, the byte waits in the input queue */
	bool (*input)(void *priv, u8 c);
	void *input_priv;
	bool polled;			/* no receiver: the guest side takes bytes (getc) */
	vmm_spinlock_t in_lock;		/* in_q, in_head, in_tail */
	u8 in_q[VMM_VSERIAL_INQ];	/* byte i at in_q[i % VMM_VSERIAL_INQ] */
	u32 in_head, in_tail;		/* in_head - in_tail bytes wait */
	struct vmm_vserial_sink *sink;	/* bound output, or NULL: the console */
	struct vmm_vserial *next;	/* all endpoints */
};

struct vmm_vserial *vmm_vserial_create(const char *guest, const char *node);
/*
 * Take the endpoint out of the list, detach its sink (sink->detached is
 * called), write out a partial line and free it. NULL is ignored.
 */
void vmm_vserial_unregister(struct vmm_vserial *vs);
/* The same (the device models' name for it). */
void vmm_vserial_destroy(struct vmm_vserial *vs);
/* Bind 'sink' to the endpoint's output; -VMM_EBUSY if one is bound. */
int vmm_vserial_attach(struct vmm_vserial *vs, struct vmm_vserial_sink *sink);
/* The same for the endpoint called 'name' (looked up under the vserial
 * lock): -VMM_ENOENT when there is none, -VMM_ENOSYS when it takes no input
 * (a console one cannot type into), -VMM_EBUSY when one is bound. */
int vmm_vserial_attach_name(const char *name, struct vmm_vserial_sink *sink);
/* VMM_OK if the endpoint 'name' exists and takes input; else -VMM_ENOENT
 * or -VMM_ENOSYS as vmm_vserial_attach_name(). */
int vmm_vserial_takes_input(const char *name);
/*
 * Say why the endpoint 'name' refused operation 'op' ("bind", "send",
 * "dump"): one message per refusal (-VMM_ENOENT, -VMM_ENOSYS, -VMM_EBUSY),
 * for the vserial command and the terminal alike. Returns rc.
 */
int vmm_vserial_refused(const char *op, const char *name, int rc);
/*
 * Mute (true) or show again (false) the console lines of every endpoint
 * without a sink; muted lines still go into the rings and are counted in
 * lines_muted (reset when muting starts).
 */
void vmm_vserial_mute(bool mute);
/* Unbind it (its detached function is not called); output to the console again. */
void vmm_vserial_detach(struct vmm_vserial *vs, struct vmm_vserial_sink *sink);
/* The same wherever 'sink' is bound (looked up under the vserial lock; an
 * endpoint that went away meanwhile has unbound it already). */
void vmm_vserial_detach_sink(struct vmm_vserial_sink *sink);
/* A byte from the guest side. */
void vmm_vserial_putc(struct vmm_vserial *vs, u8 c);
/* Write out a partial line (e.g. when the guest halts). */
void vmm_vserial_flush(struct vmm_vserial *vs);
/* The same for every endpoint of the guest 'guest' ("guest/..."). */
void vmm_vserial_flush_guest(const char *guest);
/*
 * An endpoint whose guest side asks for input itself (the hypercall
 * console): host bytes stay in the input queue until vmm_vserial_getc().
 */
void vmm_vserial_set_input_polled(struct vmm_vserial *vs);
/* The next queued host byte (0..255), or -1 when none waits. */
int vmm_vserial_getc(struct vmm_vserial *vs);
/* The device model registers where host bytes go (its receiver). */
void vmm_vserial_set_input(struct vmm_vserial *vs, bool (*input)(void *priv, u8 c), void *priv);
/* The device's receiver has room again (device lock not held): queued
 * bytes move on. Cheap when nothing waits. */
void vmm_vserial_input_ready(struct vmm_vserial *vs);
/* Bytes from the host side into the input queue (and on to the device as
 * it takes them); returns how many the queue took. */
size_t vmm_vserial_send(struct vmm_vserial *vs, const u8 *buf, size_t len);
/*
 * The same to the endpoint called 'name', looked up and fed under the
 * vserial lock: the bytes taken (fewer than len: the queue is full),
 * -VMM_ENOENT when there is no such endpoint, -VMM_ENOSYS when it takes no
 * input.
 */
int vmm_vserial_send_name(const char *name, const u8 *buf, size_t len);
/* Endpoint by name ("guest0/uart0"), or NULL; and iteration over all. */
struct vmm_vserial *vmm_vserial_find(const char *name);
struct vmm_vserial *vmm_vserial_first(void);
/* fn(vs, arg) for every endpoint, under the vserial lock (fn must not
 * create or unregister endpoints); returns how many. */
u32 vmm_vserial_for_each(void (*fn)(struct vmm_vserial *vs, void *arg), void *arg);
/*
 * Copy the endpoint 'name''s most recent output, oldest byte first, at most
 * 'max' bytes (and at most VMM_VSERIAL_RING) into buf, under the vserial
 * lock: the number of bytes copied, or -VMM_ENOENT. *total (if not NULL)
 * gets how many bytes the endpoint has sent in all.
 */
int vmm_vserial_recent(const char *name, u8 *buf, size_t max, u64 *total);
/*
 * Split output bytes into console lines as the console shows them ('\r'
 * dropped, control bytes as '.', cut at VMM_VSERIAL_LINE_MAX) and call
 * fn(text, len, arg) for each, without its '\n'; a last line without '\n'
 * is passed too. skip_first drops the bytes up to the first '\n' (the tail
 * of a line whose start left the ring). Returns the number of lines.
 */
u32 vmm_vserial_lines(const u8 *buf, size_t n, bool skip_first,
		      void (*fn)(const char *text, size_t len, void *arg), void *arg);
/* Number of endpoints (leak checks: guest destroy frees its endpoints). */
u32 vmm_vserial_count(void);

#endif
