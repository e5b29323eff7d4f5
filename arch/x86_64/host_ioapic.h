/*
 * arch/x86_64/host_ioapic.h - routing a legacy (ISA) interrupt of the host's
 * own devices (COM1, the i8042) through the IO-APIC (host_ioapic.c).
 */
#ifndef ARCH_X86_64_HOST_IOAPIC_H
#define ARCH_X86_64_HOST_IOAPIC_H
#include "kernel/types.h"

/* ISA IRQ 'irq' to 'vector' on this CPU: fixed delivery, edge, active high,
 * on the IO-APIC pin of the same number (the first IO-APIC the MADT names,
 * else the PC's default 0xFEC00000). VMM_OK, or -VMM_ENOTAVAIL (said on the
 * console, nothing programmed) when this CPU's APIC id is above 254: the
 * caller keeps its device polled. */
int host_ioapic_route_isa(u32 irq, u8 vector);

#endif
