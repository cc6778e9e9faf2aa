# A web server starts a shell (command injection, a web shell): python
# named nginx through a symlink, as the process list shows it.
# needs: python3
# default: pdig shell spawned by a non-shell program = 1 ~ command=sh -c id parent=nginx
# falco: Run shell untrusted = 1 ~ pcmdline=nginx -c
# sandbox: Web Server Spawned Shell = 1 ~ shell=sh web_server=nginx
# sandbox: Web Server Spawned Suspicious Child Process = 1 ~ child=id .*gparent=nginx
run() {
	ln -s "$PY" "$W/nginx"
	"$W/nginx" -c 'import os; os.system("id")' >/dev/null
}
