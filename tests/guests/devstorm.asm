; tests/guests/devstorm.asm - storm guest (tests/guests/include/storm.inc):
; PIT count 2, control word 0x36, EOI 1, RTC rate 3 1, UART timeout 1.
%define STORM_PIT 2
%define STORM_MODE 0x36
%define STORM_EOI 1
%define STORM_RTC 1
%define STORM_UART 1
%include "storm.inc"
