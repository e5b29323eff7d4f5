/*
 * devemu/apic_bus.h - a guest's APIC bus: how interrupt messages reach the
 * local APICs of its VCPUs (devemu/lapic.c implements it).
 *
 * Senders are a local APIC (an IPI written to its ICR or SELF IPI) and the
 * guest's IO-APIC (a redirection-table entry firing). A message names its
 * destination the way the ICR and a redirection entry do: a shorthand, or
 * an APIC ID (physical) or a logical mask (flat or cluster, as each
 * target's LDR/DFR says), and a delivery mode. The bus finds the targets
 * and hands each the message: fixed vectors into its IRR (lowest priority:
 * one target, the one with the lowest priority class, ties to the lowest
 * ID), NMI, INIT and SIPI to the VCPU (kernel/vcpu_irq.h), ExtINT as the
 * INTR line from the guest's PIC.
 *
 * Level-triggered fixed interrupts set the vector's TMR bit; when the guest
 * EOIs such a vector, the LAPIC broadcasts the EOI to every listener (the
 * IO-APIC clears the remote IRR of the pins with that vector and, if a pin
 * is still asserted, sends it again).
 *
 * Callable from any CPU, with interrupts on or off, holding at most a
 * device model's own lock (the bus takes the target LAPICs' locks, then
 * VCPU irq locks): never with a LAPIC lock held. A guest without a local
 * APIC (no "x86,local-apic" region) has no bus: messages reach nothing
 * (vmm_apic_bus_deliver returns 0).
 */
#ifndef DEVEMU_APIC_BUS_H
#define DEVEMU_APIC_BUS_H

#include "kernel/types.h"

struct vmm_guest;

/* Delivery modes, destination shorthands: the ICR's encodings (SDM 11.6.1). */
#define APIC_BUS_DM_FIXED	0
#define APIC_BUS_DM_LOWEST	1
#define APIC_BUS_DM_SMI		2
#define APIC_BUS_DM_NMI		4
#define APIC_BUS_DM_INIT	5
#define APIC_BUS_DM_STARTUP	6
#define APIC_BUS_DM_EXTINT	7

#define APIC_BUS_SH_NONE	0	/* the destination field */
#define APIC_BUS_SH_SELF	1
#define APIC_BUS_SH_ALL_INCL	2
#define APIC_BUS_SH_ALL_EXCL	3

#define APIC_BUS_NO_SENDER	0xFFFFFFFFu

struct vmm_apic_msg {
	u8 vector;
	u8 delivery;		/* APIC_BUS_DM_* */
	u8 shorthand;		/* APIC_BUS_SH_*; not NONE only from a LAPIC */
	bool logical;		/* destination mode: logical, else physical */
	bool level_trigger;	/* trigger mode: level (TMR set, EOI broadcast) */
	bool level_assert;	/* level bit: an INIT with it clear is a de-assert (ignored) */
	u32 dest;		/* APIC ID or logical mask; 0xFF (xAPIC) / 0xFFFFFFFF (x2APIC) broadcast */
	bool x2apic_dest;	/* dest is a 32-bit x2APIC destination (else 8-bit xAPIC) */
	u32 sender;		/* the sending VCPU's index in its guest, or APIC_BUS_NO_SENDER */
};

/*
 * Deliver one message; returns how many LAPICs took it (0: none matched,
 * or the guest has no local APICs). Never fails otherwise: what a target
 * refuses (a vector below 16, a software-disabled LAPIC) is that LAPIC's
 * error status, as on hardware.
 */
u32 vmm_apic_bus_deliver(struct vmm_guest *guest, const struct vmm_apic_msg *msg);

/* EOI of a level-triggered vector on any LAPIC of the guest: fn(priv, vector). */
typedef void (*vmm_apic_eoi_fn)(void *priv, u8 vector);
/* At most one listener per guest (its IO-APIC); from the listener's probe.
 * -VMM_EEXIST when the guest has one already. */
int vmm_apic_bus_eoi_listen(struct vmm_guest *guest, vmm_apic_eoi_fn fn, void *priv);
/* The listener goes away (its remove). */
void vmm_apic_bus_eoi_unlisten(struct vmm_guest *guest, void *priv);

/* Does the guest have local APICs (an "x86,local-apic" region)? */
bool vmm_apic_bus_present(struct vmm_guest *guest);

#endif
