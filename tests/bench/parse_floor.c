/* The libxml2 floor for the benchmark: CPU time to parse the same XML bytes vpcx receives.
 *
 *   parse_floor [--repeat N] FILE...
 *
 * All files are read into memory first; only the parse is timed (process CPU clock), so
 * start-up and disk I/O are excluded. Two figures, best of N runs each:
 *   sax:    a push parser (xmlCreatePushParserCtxt + xmlParseChunk in 16 KiB chunks, as bytes
 *           arrive from the network) with SAX2 start/end/characters callbacks that only count:
 *           the same setup vpcx's src/aws/xml.c uses, minus its work per event.
 *   reader: xmlReaderForMemory + xmlTextReaderRead over every node (what xmllint --stream does).
 * Output: one line of JSON {"files", "bytes", "sax_s", "reader_s", "elements"}.
 * Build: cc -O2 parse_floor.c $(pkg-config --cflags --libs libxml-2.0) -o parse_floor
 */
#include <libxml/parser.h>
#include <libxml/xmlreader.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct blob {
    char *data;
    size_t len;
};

static unsigned long counted;

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                     int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
                     int nb_defaulted, const xmlChar **attributes)
{
    (void)ctx, (void)localname, (void)prefix, (void)uri, (void)nb_namespaces;
    (void)namespaces, (void)nb_attributes, (void)nb_defaulted, (void)attributes;
    counted++;
}

static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
    (void)ctx, (void)localname, (void)prefix, (void)uri;
}

static void on_text(void *ctx, const xmlChar *ch, int len)
{
    (void)ctx, (void)ch, (void)len;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int read_file(const char *path, struct blob *b)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    b->data = malloc((size_t)n + 1);
    b->len = b->data ? fread(b->data, 1, (size_t)n, f) : 0;
    fclose(f);
    return b->data && b->len == (size_t)n ? 0 : -1;
}

static void parse_sax(const struct blob *b)
{
    xmlSAXHandler sax;
    memset(&sax, 0, sizeof(sax));
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = on_start;
    sax.endElementNs = on_end;
    sax.characters = on_text;
    xmlParserCtxtPtr ctxt = xmlCreatePushParserCtxt(&sax, NULL, NULL, 0, NULL);
    xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC);
    const size_t chunk = 16384;
    for (size_t off = 0; off < b->len; off += chunk) {
        size_t n = b->len - off < chunk ? b->len - off : chunk;
        xmlParseChunk(ctxt, b->data + off, (int)n, 0);
    }
    xmlParseChunk(ctxt, NULL, 0, 1);
    xmlFreeParserCtxt(ctxt);
}

static void parse_reader(const struct blob *b)
{
    xmlTextReaderPtr r = xmlReaderForMemory(b->data, (int)b->len, NULL, NULL, XML_PARSE_NONET);
    while (xmlTextReaderRead(r) == 1)
        ;
    xmlFreeTextReader(r);
}

static double best_of(int repeat, void (*fn)(const struct blob *), struct blob *files, int n)
{
    double best = 1e30;
    for (int r = 0; r < repeat; r++) {
        counted = 0;
        double t0 = cpu_now();
        for (int i = 0; i < n; i++)
            fn(&files[i]);
        double dt = cpu_now() - t0;
        if (dt < best)
            best = dt;
    }
    return best;
}

int main(int argc, char **argv)
{
    int repeat = 3;
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "--repeat") == 0) {
        repeat = (int)strtol(argv[2], NULL, 10);
        first = 3;
    }
    int n = argc - first;
    struct blob *files = calloc((size_t)(n > 0 ? n : 1), sizeof(*files));
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        if (read_file(argv[first + i], &files[i]) != 0) {
            fprintf(stderr, "parse_floor: cannot read %s\n", argv[first + i]);
            return 1;
        }
        total += files[i].len;
    }
    xmlInitParser();
    double sax = best_of(repeat, parse_sax, files, n);
    unsigned long elements = counted;
    double reader = best_of(repeat, parse_reader, files, n);
    printf("{\"files\": %d, \"bytes\": %zu, \"sax_s\": %.6f, \"reader_s\": %.6f, "
           "\"elements\": %lu}\n",
           n, total, sax, reader, elements);
    for (int i = 0; i < n; i++)
        free(files[i].data);
    free(files);
    xmlCleanupParser();
    return 0;
}
