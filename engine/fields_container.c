/* container.* and k8s.* fields: the thread's container, from the
 * container table. */
#include "fields_impl.h"

/* container.*: the thread's id (worked out when its cgroups arrived), else
 * the traced tree's; what else is known comes from the container table.
 * As in sysdig, an empty string is not available. */
int fields_extract_container(const struct eng_ctx *c, const struct eng_thread *t, int id,
			     struct eng_value *v)
{
	const struct eng_containers *cs = c->st->containers;
	const struct eng_container *ct = t->container_id ? eng_containers_find(cs, t->container_id)
							 : eng_containers_tree(cs);
	const char *cid = t->container_id ? t->container_id : ct ? ct->id : NULL;
	if (!cid) /* the host */
		return id == F_CONTAINER_ID || id == F_CONTAINER_NAME || id == F_CONTAINER_TYPE
			       ? str(v, "host")
			       : NA;
	if (id == F_CONTAINER_ID)
		return str(v, cid);
	if (!ct)
		return NA;
	const char *s;
	switch (id) {
	case F_CONTAINER_NAME: s = ct->name; break;
	case F_CONTAINER_TYPE: s = eng_container_type_name(ct->type); break;
	case F_CONTAINER_IMAGE: s = ct->image; break;
	case F_CONTAINER_IMAGE_ID: s = ct->imageid; break;
	case F_CONTAINER_IMAGE_REPOSITORY: s = ct->imagerepo; break;
	case F_CONTAINER_IMAGE_TAG: s = ct->imagetag; break;
	case F_CONTAINER_IMAGE_DIGEST: s = ct->imagedigest; break;
	case F_K8S_NS_NAME: s = ct->k8s_ns; break;
	case F_K8S_POD_NAME: s = ct->k8s_pod; break;
	default: /* F_CONTAINER_PRIVILEGED */
		return eng_container_knows_privileged(ct->type) ? num(v, ct->privileged) : NA;
	}
	return s && s[0] ? str(v, s) : NA;
}
