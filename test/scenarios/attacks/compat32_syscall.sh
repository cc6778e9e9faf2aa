# Evasion through the 32-bit entry: a 64-bit program opens /etc/hostname
# with int 0x80 (a few instructions written below 4 GiB by python), the way
# malware slips past seccomp filters and tracers that only check 64-bit
# call numbers. pdig traces the call anyway and marks its ABI. Needs a
# kernel that lets 64-bit programs use int 0x80 (int80: test/lib/probe.sh).
# needs: python3 int80
# default: pdig 32-bit syscall by a traced program = 1 ~ call=open abi=i386 res=SUCCESS fd=/etc/hostname
run() {
	"$PY" -c 'import ctypes
libc = ctypes.CDLL(None)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                      ctypes.c_int, ctypes.c_long]
# read, write, execute; MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT
p = libc.mmap(None, 4096, 7, 0x22 | 0x40, -1, 0)
# push rbx; mov eax, 5 (i386 open); mov ebx, path; xor ecx, ecx; int 0x80; pop rbx; ret
code = (b"\x53\xb8\x05\x00\x00\x00\xbb" + (p + 64).to_bytes(4, "little") +
        b"\x31\xc9\xcd\x80\x5b\xc3")
ctypes.memmove(p, code, len(code))
ctypes.memmove(p + 64, b"/etc/hostname\0", 14)
fd = ctypes.CFUNCTYPE(ctypes.c_int)(p)()
assert fd >= 0, fd'
}
