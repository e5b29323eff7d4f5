/*
 * tests/guests/lib/ioapic.h - IO-APIC helpers for C test guests: indirect
 * register access (IOREGSEL at +0x00, IOWIN at +0x10), redirection entries
 * by pin (the low word carries vector, delivery mode, destination mode,
 * delivery status, polarity, remote IRR, trigger and mask; the high word
 * the destination in bits 63:56), and GSI-to-pin through the MADT.
 */
#ifndef TESTS_GUESTS_LIB_IOAPIC_H
#define TESTS_GUESTS_LIB_IOAPIC_H

#include "tlib.h"

#define IOAPIC_REG_ID 0x00
#define IOAPIC_REG_VER 0x01
#define IOAPIC_REG_ARB 0x02
#define IOAPIC_REG_RTE(pin) (0x10 + 2 * (pin))

#define RTE_FIXED (0u << 8)
#define RTE_LOWEST (1u << 8)
#define RTE_NMI (4u << 8)
#define RTE_INIT (5u << 8)
#define RTE_EXTINT (7u << 8)
#define RTE_LOGICAL (1u << 11)
#define RTE_PENDING (1u << 12)
#define RTE_ACTIVE_LOW (1u << 13)
#define RTE_REMOTE_IRR (1u << 14)
#define RTE_LEVEL (1u << 15)
#define RTE_MASKED (1u << 16)

u32 t_ioapic_read(u32 base, u32 reg);
void t_ioapic_write(u32 base, u32 reg, u32 v);
/* the number of redirection entries (version register bits 23:16 + 1) */
int t_ioapic_pins(u32 base);
u32 t_ioapic_rte_lo(u32 base, int pin);
u32 t_ioapic_rte_hi(u32 base, int pin);
/* Program pin: high word first while masked, then the low word. */
void t_ioapic_route(u32 base, int pin, u32 lo, u8 dest);
void t_ioapic_mask(u32 base, int pin, int masked);
/* The IO-APIC base and pin serving gsi per the MADT; -1 when none does. */
int t_ioapic_for_gsi(u32 gsi, u32 *base);

/* Mask every line of both 8259 PICs (ports 0x21, 0xA1): the IO-APIC and
 * LAPIC only from here on. */
void t_pic_mask_all(void);

#endif
