# A package-like install into a private prefix: an archive unpacked,
# files installed with their modes, a symlink, a checksum list. No alert.
run() {
	mkdir -p stage/bin stage/share/doc && cp /bin/true stage/bin/tool &&
		echo doc >stage/share/doc/README && tar czf pkg.tgz -C stage . &&
		mkdir -p prefix && tar xzf pkg.tgz -C prefix &&
		install -m 0755 prefix/bin/tool prefix/bin/tool2 &&
		ln -sf tool prefix/bin/tool-link && (cd prefix && find . -type f | sort | xargs sha256sum >MANIFEST) &&
		prefix/bin/tool-link
}
