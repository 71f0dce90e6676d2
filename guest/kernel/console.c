#include <stdarg.h>
#include "kernel.h"

/* A 16550A UART at COM1, polled: the kernel never takes interrupts. */
#define THR 0
#define IER 1
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define DLL 0
#define DLM 1
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define FIFO_SIZE 16

void console_init(void) {
    outb(COM1 + IER, 0x00);
    outb(COM1 + LCR, 0x80); /* DLAB: divisor 1, 115200 baud */
    outb(COM1 + DLL, 0x01);
    outb(COM1 + DLM, 0x00);
    outb(COM1 + LCR, 0x03); /* 8N1 */
    outb(COM1 + FCR, 0xc7); /* FIFOs on and cleared, 14-byte trigger */
    outb(COM1 + MCR, 0x0b); /* DTR, RTS, OUT2 */
}

/* Waits for an empty transmit FIFO once per 16 bytes, as Linux's 8250 driver does. */
void console_write(const char *s, usize n) {
    usize room = 0;
    for (usize i = 0; i < n; i++) {
        if (room == 0) {
            while (!(inb(COM1 + LSR) & LSR_THRE)) {}
            room = FIFO_SIZE;
        }
        outb(COM1 + THR, (u8)s[i]);
        room--;
    }
}

/* Polls for received data (the kernel takes no interrupts), then takes what the FIFO holds. */
usize console_read(char *s, usize n) {
    usize got = 0;
    while (!(inb(COM1 + LSR) & LSR_DR)) {}
    while (got < n && (inb(COM1 + LSR) & LSR_DR)) s[got++] = (char)inb(COM1 + THR);
    return got;
}

struct out { char buf[160]; usize len; };

static void put(struct out *o, char c) {
    if (o->len == sizeof o->buf) { console_write(o->buf, o->len); o->len = 0; }
    o->buf[o->len++] = c;
}

static void put_number(struct out *o, u64 v, unsigned base, int width, char pad) {
    char digits[24];
    int n = 0;
    do { digits[n++] = "0123456789abcdef"[v % base]; v /= base; } while (v);
    while (width-- > n) put(o, pad);
    while (n) put(o, digits[--n]);
}

/* %s %c %d %u %x with an optional 0 flag, width and l modifier; %p. Enough for dumps. */
void kprintf(const char *fmt, ...) {
    struct out o;
    o.len = 0;
    va_list ap;
    va_start(ap, fmt);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') { put(&o, *p); continue; }
        p++;
        char pad = ' ';
        int width = 0, lng = 0;
        if (*p == '0') { pad = '0'; p++; }
        while (*p >= '0' && *p <= '9') width = width * 10 + (*p++ - '0');
        while (*p == 'l') { lng = 1; p++; }
        switch (*p) {
        case 's': { const char *s = va_arg(ap, const char *); while (*s) put(&o, *s++); break; }
        case 'c': put(&o, (char)va_arg(ap, int)); break;
        case 'd': {
            i64 v = lng ? va_arg(ap, i64) : va_arg(ap, int);
            if (v < 0) { put(&o, '-'); v = -v; }
            put_number(&o, (u64)v, 10, width, pad);
            break;
        }
        case 'u': put_number(&o, lng ? va_arg(ap, u64) : va_arg(ap, u32), 10, width, pad); break;
        case 'x': put_number(&o, lng ? va_arg(ap, u64) : va_arg(ap, u32), 16, width, pad); break;
        case 'p': put(&o, '0'); put(&o, 'x'); put_number(&o, (u64)va_arg(ap, void *), 16, 16, '0'); break;
        default: put(&o, '%'); put(&o, *p); break;
        }
    }
    va_end(ap);
    console_write(o.buf, o.len);
}
