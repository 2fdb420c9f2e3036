#include "vpcx/model/metrics.h"

#include "vpcx/core/xalloc.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name, *stat, *unit;
} metric_table[] = {
#define METRICS_ROW(name, cw, stat, unit) {cw, stat, unit},
    METRICS_TABLE(METRICS_ROW)
#undef METRICS_ROW
};

const char *metrics_metric_name(enum metrics_metric m)
{
    return (unsigned)m < METRIC_COUNT ? metric_table[m].name : "";
}

const char *metrics_metric_stat(enum metrics_metric m)
{
    return (unsigned)m < METRIC_COUNT ? metric_table[m].stat : "";
}

bool metrics_metric_is_bytes(enum metrics_metric m)
{
    return (unsigned)m < METRIC_COUNT && strcmp(metric_table[m].unit, "bytes") == 0;
}

static const struct {
    const char *name;
    long seconds, period;
} ranges[] = {
    {"3h", 3 * 3600L, 300L},
    {"24h", 24 * 3600L, 1800L},
    {"7d", 7 * 24 * 3600L, 4 * 3600L},
};

const char *metrics_range_name(enum metrics_range r)
{
    return (unsigned)r < METRICS_RANGE_COUNT ? ranges[r].name : "";
}

bool metrics_range_parse(const char *text, enum metrics_range *out)
{
    for (int r = 0; text && r < METRICS_RANGE_COUNT; r++) {
        if (strcmp(text, ranges[r].name) == 0) {
            *out = (enum metrics_range)r;
            return true;
        }
    }
    return false;
}

long metrics_range_seconds(enum metrics_range r)
{
    return (unsigned)r < METRICS_RANGE_COUNT ? ranges[r].seconds : ranges[0].seconds;
}

long metrics_range_period(enum metrics_range r)
{
    return (unsigned)r < METRICS_RANGE_COUNT ? ranges[r].period : ranges[0].period;
}

enum metrics_range metrics_range_next(enum metrics_range r)
{
    return (enum metrics_range)(((unsigned)r + 1) % METRICS_RANGE_COUNT);
}

void metrics_window(enum metrics_range range, time_t now, time_t *start, time_t *end, long *period)
{
    long p = metrics_range_period(range);
    long long e = ((long long)now + p - 1) / p * p;
    *end = (time_t)e;
    *start = (time_t)(e - metrics_range_seconds(range));
    *period = p;
}

static void series_init(struct metrics_series *s, size_t n)
{
    s->n = n;
    s->values = xcalloc(n ? n : 1, sizeof(double));
    for (size_t i = 0; i < n; i++)
        s->values[i] = NAN;
}

struct metrics_set *metrics_set_create(const char *endpoint_id, enum metrics_range range,
                                       time_t now, const char *const *subnet_ids, size_t n_subnets)
{
    struct metrics_set *s = xcalloc(1, sizeof(*s));
    s->endpoint_id = xstrdup(endpoint_id ? endpoint_id : "");
    s->range = range;
    metrics_window(range, now, &s->start, &s->end, &s->period);
    size_t buckets = (size_t)(metrics_range_seconds(range) / s->period);
    if (n_subnets > METRICS_MAX_SUBNETS)
        n_subnets = METRICS_MAX_SUBNETS;
    s->n_scopes = 1 + n_subnets;
    s->scopes = xcalloc(s->n_scopes, sizeof(*s->scopes));
    for (size_t i = 0; i < s->n_scopes; i++) {
        if (i > 0)
            s->scopes[i].subnet_id = xstrdup(subnet_ids[i - 1] ? subnet_ids[i - 1] : "");
        for (int m = 0; m < METRIC_COUNT; m++)
            series_init(&s->scopes[i].series[m], buckets);
    }
    return s;
}

void metrics_set_destroy(struct metrics_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_scopes; i++) {
        free(s->scopes[i].subnet_id);
        for (int m = 0; m < METRIC_COUNT; m++)
            free(s->scopes[i].series[m].values);
    }
    free(s->scopes);
    free(s->endpoint_id);
    free(s);
}

char *metrics_query_id(size_t scope, enum metrics_metric m)
{
    return xasprintf("s%zu_m%d", scope, (int)m);
}

/* Digits only, no sign or leading blanks (strtoul would take them). */
static bool parse_index(const char *p, const char **end, unsigned long *out)
{
    if (!isdigit((unsigned char)*p))
        return false;
    unsigned long v = 0;
    while (isdigit((unsigned char)*p)) {
        v = v * 10 + (unsigned long)(*p++ - '0');
        if (v > 100000)
            return false;
    }
    *end = p;
    *out = v;
    return true;
}

bool metrics_parse_query_id(const struct metrics_set *s, const char *id, size_t *scope,
                            enum metrics_metric *m)
{
    unsigned long a, b;
    const char *p;
    if (!id || id[0] != 's' || !parse_index(id + 1, &p, &a) || strncmp(p, "_m", 2) != 0 ||
        !parse_index(p + 2, &p, &b) || *p || a >= s->n_scopes || b >= METRIC_COUNT)
        return false;
    *scope = a;
    *m = (enum metrics_metric)b;
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

static bool take_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

static bool take_char(const char **p, char c)
{
    if (**p != c)
        return false;
    (*p)++;
    return true;
}

bool metrics_parse_time(const char *text, time_t *out)
{
    const char *p = text;
    int y, mo, d, h, mi, s;
    if (!p || !take_digits(&p, 4, &y) || !take_char(&p, '-') || !take_digits(&p, 2, &mo) ||
        !take_char(&p, '-') || !take_digits(&p, 2, &d) || (*p != 'T' && *p != 't' && *p != ' '))
        return false;
    p++;
    if (!take_digits(&p, 2, &h) || !take_char(&p, ':') || !take_digits(&p, 2, &mi) ||
        !take_char(&p, ':') || !take_digits(&p, 2, &s))
        return false;
    if (*p == '.')
        for (p++; isdigit((unsigned char)*p); p++)
            ;
    if (*p == 'Z' || *p == 'z')
        p++;
    else if (strncmp(p, "+00:00", 6) == 0)
        p += 6;
    else
        return false;
    if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return false;
    long long days = days_from_civil(y, (unsigned)mo, (unsigned)d);
    *out = (time_t)(days * 86400LL + h * 3600LL + mi * 60LL + s);
    return true;
}

void metrics_format_time(time_t t, char *buf, size_t len)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool metrics_series_add(const struct metrics_set *s, struct metrics_series *series, time_t t,
                        double value)
{
    if (!isfinite(value) || t < s->start || t >= s->end || s->period <= 0)
        return false;
    size_t i = (size_t)((t - s->start) / s->period);
    if (i >= series->n)
        return false;
    if (isnan(series->values[i]))
        series->points++;
    series->values[i] = value;
    return true;
}

bool metrics_series_stats(const struct metrics_series *series, struct metrics_stats *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < series->n; i++) {
        double v = series->values[i];
        if (isnan(v))
            continue;
        if (out->count == 0 || v < out->min)
            out->min = v;
        if (out->count == 0 || v > out->max)
            out->max = v;
        out->last = v;
        out->sum += v;
        out->count++;
    }
    return out->count > 0;
}

static const char *const ramp_utf8[8] = {"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83",
                                         "\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86",
                                         "\xe2\x96\x87", "\xe2\x96\x88"};
static const char ramp_ascii[] = "_.-=+*#@";

/* The largest value of buckets [from, to), NAN when none has one. */
static double group_max(const struct metrics_series *s, size_t from, size_t to)
{
    double m = NAN;
    for (size_t i = from; i < to && i < s->n; i++)
        if (!isnan(s->values[i]) && (isnan(m) || s->values[i] > m))
            m = s->values[i];
    return m;
}

void metrics_sparkline(struct strbuf *out, const struct metrics_series *series, size_t width,
                       bool utf8)
{
    size_t n = series->n;
    if (width == 0 || n == 0)
        return;
    size_t cells = n < width ? n : width;
    struct metrics_stats st;
    metrics_series_stats(series, &st);
    double top = st.max > 0 ? st.max : 0;
    for (size_t c = 0; c < cells; c++) {
        double v = group_max(series, c * n / cells, (c + 1) * n / cells);
        if (isnan(v)) {
            strbuf_addch(out, ' ');
            continue;
        }
        int level = 0;
        if (top > 0 && v > 0) {
            level = (int)lround(v / top * 7.0);
            level = level < 1 ? 1 : level > 7 ? 7 : level; /* above zero never looks like 0 */
        }
        if (utf8)
            strbuf_addstr(out, ramp_utf8[level]);
        else
            strbuf_addch(out, ramp_ascii[level]);
    }
}

void metrics_format_value(struct strbuf *out, double v, bool bytes)
{
    static const char *const byte_units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    static const char *const count_units[] = {"", "k", "M", "G", "T", "P"};
    const char *const *units = bytes ? byte_units : count_units;
    double a = fabs(v);
    int u = 0;
    while (a >= 1000.0 && u < 5) {
        a /= 1000.0;
        v /= 1000.0;
        u++;
    }
    if (u == 0 && !bytes && a != floor(a))
        strbuf_addf(out, "%.2f", v);
    else if (u == 0)
        strbuf_addf(out, "%.0f%s%s", v, bytes ? " " : "", units[0]);
    else
        strbuf_addf(out, "%.1f%s%s", v, bytes ? " " : "", units[u]);
}

static void add_series_json(cJSON *list, const struct metrics_set *s,
                            const struct metrics_series *x, enum metrics_metric m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "MetricName", metrics_metric_name(m));
    cJSON_AddStringToObject(o, "Statistic", metrics_metric_stat(m));
    struct metrics_stats st;
    bool any = metrics_series_stats(x, &st);
    cJSON_AddNumberToObject(o, "Datapoints", (double)st.count);
    if (any) {
        cJSON_AddNumberToObject(o, "Min", st.min);
        cJSON_AddNumberToObject(o, "Max", st.max);
        cJSON_AddNumberToObject(o, "Last", st.last);
        cJSON_AddNumberToObject(o, "Sum", st.sum);
    }
    cJSON_AddBoolToObject(o, "Partial", x->partial);
    cJSON *ts = cJSON_AddArrayToObject(o, "Timestamps");
    cJSON *vs = cJSON_AddArrayToObject(o, "Values");
    for (size_t i = 0; i < x->n; i++) {
        if (isnan(x->values[i]))
            continue;
        char buf[32];
        metrics_format_time(s->start + (time_t)i * s->period, buf, sizeof(buf));
        cJSON_AddItemToArray(ts, cJSON_CreateString(buf));
        cJSON_AddItemToArray(vs, cJSON_CreateNumber(x->values[i]));
    }
    cJSON_AddItemToArray(list, o);
}

cJSON *metrics_set_to_json(const struct metrics_set *s)
{
    cJSON *root = cJSON_CreateObject();
    char buf[32];
    cJSON_AddStringToObject(root, "VpcEndpointId", s->endpoint_id);
    cJSON_AddStringToObject(root, "Namespace", METRICS_NAMESPACE);
    cJSON_AddStringToObject(root, "Range", metrics_range_name(s->range));
    cJSON_AddNumberToObject(root, "Period", (double)s->period);
    metrics_format_time(s->start, buf, sizeof(buf));
    cJSON_AddStringToObject(root, "StartTime", buf);
    metrics_format_time(s->end, buf, sizeof(buf));
    cJSON_AddStringToObject(root, "EndTime", buf);
    cJSON_AddBoolToObject(root, "Partial", s->partial);
    cJSON *scopes = cJSON_AddArrayToObject(root, "Scopes");
    for (size_t i = 0; i < s->n_scopes; i++) {
        cJSON *o = cJSON_CreateObject();
        if (s->scopes[i].subnet_id)
            cJSON_AddStringToObject(o, "SubnetId", s->scopes[i].subnet_id);
        cJSON *list = cJSON_AddArrayToObject(o, "Metrics");
        for (int m = 0; m < METRIC_COUNT; m++)
            add_series_json(list, s, &s->scopes[i].series[m], (enum metrics_metric)m);
        cJSON_AddItemToArray(scopes, o);
    }
    return root;
}
