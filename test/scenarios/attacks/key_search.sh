# Credential hunting: searching for private keys and AWS credentials.
# default: pdig search for private keys or passwords = 2 ~ command=(find|grep) 
# falco: Search Private Keys or Passwords = 1 ~ find
# falco: Find AWS Credentials = 1 ~ grep
run() {
	find "$W" -name id_rsa 2>/dev/null
	grep -rs aws_secret_access_key "$W"
	true
}
