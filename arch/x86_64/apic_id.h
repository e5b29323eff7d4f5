/*
 * arch/x86_64/apic_id.h - which local APIC ids the host can reach, by the
 * LAPIC mode and by the IO-APIC (pure, unit-tested in test_acpi_parse.c).
 */
#ifndef ARCH_X86_64_APIC_ID_H
#define ARCH_X86_64_APIC_ID_H

#include "kernel/types.h"

/* xAPIC: 8-bit ids, 0xFF is the broadcast */
#define APIC_ID_XAPIC_MAX 254u
/* x2APIC: 32-bit ids, 0xFFFFFFFF is the broadcast */
#define APIC_ID_X2APIC_BROADCAST 0xFFFFFFFFu

/* Can an IPI (INIT, SIPI, fixed) reach the CPU with this id in this mode? */
static inline bool apic_id_addressable(u32 id, bool x2apic)
{
	return x2apic ? id != APIC_ID_X2APIC_BROADCAST : id <= APIC_ID_XAPIC_MAX;
}

/*
 * Can an IO-APIC redirection entry (physical destination mode, 8-bit
 * destination field, no interrupt remapping) deliver to this id?
 */
static inline bool apic_id_ioapic_reachable(u32 id)
{
	return id <= APIC_ID_XAPIC_MAX;
}

#endif
