#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query/services.h"
#include "util/strtonum.h"
#include "util/xmalloc.h"

struct services {
	char	*tcp[65536];
	char	*udp[65536];
};

/* Parse one line "name port/proto [aliases] [# comment]" into the table;
 * lines that do not read so are skipped. */
static void
services_line(struct services *s, char *line)
{
	char *name, *portproto, *slash, *save = NULL, *hash;
	const char *errstr;
	long long port;
	char **slot;

	if ((hash = strchr(line, '#')) != NULL)
		*hash = '\0';
	if ((name = strtok_r(line, " \t\r\n", &save)) == NULL ||
	    (portproto = strtok_r(NULL, " \t\r\n", &save)) == NULL ||
	    (slash = strchr(portproto, '/')) == NULL)
		return;
	*slash = '\0';
	port = strtonum(portproto, 0, 65535, &errstr);
	if (errstr != NULL)
		return;
	if (strcmp(slash + 1, "tcp") == 0)
		slot = &s->tcp[port];
	else if (strcmp(slash + 1, "udp") == 0)
		slot = &s->udp[port];
	else
		return;
	if (*slot == NULL)
		*slot = xstrdup(name);
}

struct services *
services_load(const char *path)
{
	struct services *s = xcalloc(1, sizeof(*s));
	char *line = NULL;
	size_t cap = 0;
	FILE *f;

	if ((f = fopen(path ? path : "/etc/services", "re")) == NULL)
		return s;
	while (getline(&line, &cap, f) != -1)
		services_line(s, line);
	free(line);
	fclose(f);
	return s;
}

void
services_free(struct services *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < 65536; i++) {
		free(s->tcp[i]);
		free(s->udp[i]);
	}
	free(s);
}

const char *
service_name(const struct services *s, int proto, uint16_t port)
{
	const char *n;

	if (s == NULL)
		return NULL;
	n = proto == IPPROTO_UDP ? s->udp[port] : s->tcp[port];
	/* A port listed for one protocol only takes that name for both, as
	 * PortQry's table has it: "UDP port 135 (epmap service)" ("Portqry
	 * Examples", learn.microsoft.com cc738095) where Debian lists epmap
	 * for TCP alone. */
	if (n == NULL)
		n = proto == IPPROTO_UDP ? s->tcp[port] : s->udp[port];
	return n;
}
