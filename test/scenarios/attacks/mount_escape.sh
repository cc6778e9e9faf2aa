# A container escape through mount: the host's root filesystem mounted
# again (its device and type from /proc/self/mountinfo: the same
# superblock, in the scenario's private mount namespace, so nothing outside
# changes), then unmounted. Both calls are reported, whether they succeed
# (as root here) or not (EPERM without CAP_SYS_ADMIN, EINVAL for an overlay
# root without options). mount(2) through libc: mount(8) may use the new
# mount API (fsopen, move_mount), which pdig does not trace.
# needs: mountns python3
# default: pdig mount or unmount by a traced program = 2 ~ call=(mount res=[^ ]+ dev=[^ ]+ dir=[^ ]*/host |umount res=[^ ]+ .*target=[^ ]*/host )
setup() {
	mkdir "$W/host"
}
run() {
	"$PY" -c 'import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
src, fstype = b"/dev/vda1", b"ext4"
for line in open("/proc/self/mountinfo", "rb"):
    f = line.split()
    if f[4] == b"/":
        rest = f[f.index(b"-") + 1:]
        fstype, src = rest[0], rest[1]
target = os.path.abspath("host").encode()
libc.mount(src, target, fstype, 0, None)
libc.umount2(target, 0)'
}
