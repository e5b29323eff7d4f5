; tests/guests/pitstorm64.asm - storm guest (tests/guests/include/storm.inc):
; PIT count 64, control word 0x34, EOI 1, RTC rate 3 0, UART timeout 0.
%define STORM_PIT 64
%define STORM_MODE 0x34
%define STORM_EOI 1
%define STORM_RTC 0
%define STORM_UART 0
%include "storm.inc"
