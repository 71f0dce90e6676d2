/* User-mode entry: RDI points at the command line on the stack. */
    .text
    .globl _ustart
_ustart:
    fninit                          /* x87 and SSE in a known state; cheap at CPL 3 */
    and $-16, %rsp
    call umain
    mov %eax, %edi
    xor %eax, %eax                  /* SYS_EXIT */
    syscall
1:  jmp 1b
