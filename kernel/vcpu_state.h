/*
 * kernel/vcpu_state.h - the six VCPU states of the Xvisor design (chapter 4)
 * and the one table that says which transitions are legal.
 */
#ifndef KERNEL_VCPU_STATE_H
#define KERNEL_VCPU_STATE_H

#include "kernel/types.h"

enum vmm_vcpu_state {
	VMM_VCPU_STATE_UNKNOWN = 0,
	VMM_VCPU_STATE_RESET,
	VMM_VCPU_STATE_READY,
	VMM_VCPU_STATE_RUNNING,
	VMM_VCPU_STATE_PAUSED,
	VMM_VCPU_STATE_HALTED,
	VMM_VCPU_STATE_COUNT,
};

/* true when figure 3 of the design has an arrow from 'from' to 'to' */
bool vmm_vcpu_state_transition_ok(enum vmm_vcpu_state from, enum vmm_vcpu_state to);
const char *vmm_vcpu_state_name(enum vmm_vcpu_state s);

#endif
