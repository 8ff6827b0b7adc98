/* The hot loops of folding a survey batch part, compiled: a replay spends most of its time
 * reading and counting the 80 million ratings of a province's round, and Python (numpy
 * included) pays several passes and temporary arrays per rating where one pass in C needs
 * none. Built when a C compiler is there (setup.py: optional); `counting.py` falls back to
 * numpy and Python otherwise, and every function here is held equal to that fallback by
 * tests/scoring/engine/test_fold_counting.py.
 *
 * Two kinds of function. The checks (`row_codes`, `indices`, `datetimes`) only ever accept
 * early: where they say "yes" the fallback says the same; where they answer None or False
 * the caller asks the fallback, which decides. So a check here may be narrower than the
 * fallback's, never wider. The count (`count`) is arithmetic and must be exact. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* row_codes(rows: list, table: bytes) -> bytes | None
 * The rows (texts of one width, each character a level's code) as their code bytes, row
 * after row, through `table` (256 bytes: a character's code, 0xFE or 0xFF for a character
 * that is none). None where any row is not a plain one-byte text of the first row's width,
 * or holds a character the table refuses. */
static PyObject *row_codes(PyObject *self, PyObject *args) {
    PyObject *rows;
    Py_buffer table;
    if (!PyArg_ParseTuple(args, "O!y*", &PyList_Type, &rows, &table)) return NULL;
    PyObject *result = NULL;
    Py_ssize_t count = PyList_GET_SIZE(rows);
    if (table.len != 256 || count == 0) goto refuse;
    const unsigned char *map = (const unsigned char *)table.buf;
    PyObject *first = PyList_GET_ITEM(rows, 0);
    if (!PyUnicode_CheckExact(first)) goto refuse;
    Py_ssize_t width = PyUnicode_GET_LENGTH(first);
    if (width == 0) goto refuse;
    result = PyBytes_FromStringAndSize(NULL, count * width);
    if (result == NULL) goto done;
    unsigned char *out = (unsigned char *)PyBytes_AS_STRING(result);
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *row = PyList_GET_ITEM(rows, i);
        if (!PyUnicode_CheckExact(row) || PyUnicode_GET_LENGTH(row) != width ||
            PyUnicode_KIND(row) != PyUnicode_1BYTE_KIND) {
            Py_CLEAR(result);
            goto refuse;
        }
        const unsigned char *chars = PyUnicode_1BYTE_DATA(row);
        unsigned char bad = 0;
        for (Py_ssize_t j = 0; j < width; j++) {
            unsigned char code = map[chars[j]];
            bad |= (unsigned char)(code >= 0xFE);
            out[j] = code;
        }
        if (bad) {
            Py_CLEAR(result);
            goto refuse;
        }
        out += width;
    }
    goto done;
refuse:
    result = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&table);
    return result;
}

/* indices(names: list, index: dict) -> bytes | None
 * Each name's index in `index` (name -> int), as native Py_ssize_t, one after another; None
 * where a name is not there (or is no key a dict can hold): the caller adds it and asks
 * again. */
static PyObject *indices(PyObject *self, PyObject *args) {
    PyObject *names, *index;
    if (!PyArg_ParseTuple(args, "O!O!", &PyList_Type, &names, &PyDict_Type, &index)) return NULL;
    Py_ssize_t count = PyList_GET_SIZE(names);
    PyObject *result = PyBytes_FromStringAndSize(NULL, count * (Py_ssize_t)sizeof(Py_ssize_t));
    if (result == NULL) return NULL;
    Py_ssize_t *out = (Py_ssize_t *)PyBytes_AS_STRING(result);
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *found = PyDict_GetItemWithError(index, PyList_GET_ITEM(names, i));
        if (found == NULL || !PyLong_CheckExact(found)) {
            PyErr_Clear(); /* an unhashable name: the fallback's to judge */
            Py_DECREF(result);
            Py_RETURN_NONE;
        }
        Py_ssize_t value = PyLong_AsSsize_t(found);
        if (value < 0) {
            PyErr_Clear();
            Py_DECREF(result);
            Py_RETURN_NONE;
        }
        out[i] = value;
    }
    return result;
}

/* count(codes, group_of, point_of, skip, group_grid, point_grid, group_rows, point_rows,
 *       units, width, sign) -> None
 * Counts (sign 1) or counts off (-1) rows of level bytes: row i (`units` bytes of `codes`),
 * unless `skip` (empty, or one byte a row) is non-zero at i,
 * into group `group_of[i]`'s and point `point_of[i]`'s grids, a grid being (names, units,
 * width) int64 cells, C order, the cell of level byte 0 (not rated) included; and one
 * questionnaire into `group_rows[group_of[i]]` and `point_rows[point_of[i]]`. Everything is
 * checked before anything is counted: a code of `width` or more or an index outside its
 * grid raises ValueError with nothing changed. */
typedef struct {
    Py_buffer codes, group_of, point_of, skip, group_grid, point_grid, group_rows, point_rows;
} CountBuffers;

static void release_all(Py_buffer **buffers, int n) {
    for (int i = 0; i < n; i++)
        if (buffers[i]->obj != NULL) PyBuffer_Release(buffers[i]);
}

/* Where `count` adds its rows: the grids, (names, units, width) int64 cells, and each
 * name's questionnaires. */
typedef struct {
    int64_t *group_grid, *point_grid, *group_rows, *point_rows;
    Py_ssize_t units, width;
    int sign;
} Target;

/* The names among a call's rows, each given a slot of its own (few: a part names a few
 * groups and points), and each row's slot. */
#define SLOTS 32
typedef struct {
    Py_ssize_t name[SLOTS];
    int used;
} Slots;

static int slot_of(Slots *slots, Py_ssize_t name) {
    for (int k = 0; k < slots->used; k++)
        if (slots->name[k] == name) return k;
    if (slots->used == SLOTS) return -1;
    slots->name[slots->used] = name;
    return slots->used++;
}

/* Counts a run of at most 255 rows into byte counters, one a (slot, level, unit), then
 * adds them into the grids: each row compared with each level over all its units at once
 * (many bytes an instruction), where one cell at a time costs a load and a store each.
 * The loops are built for AVX2 where the compiler can, and used where the CPU has it. */
#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
#include <immintrin.h>
#define BY_LEVEL_TARGET __attribute__((target("avx2")))
#define BY_LEVEL 1
#endif

#ifdef BY_LEVEL
/* One row's every unit, level by level, added to its group's and its point's counters (a
 * counter one up where the row holds that level), 32 units an instruction: the compare
 * gives -1 where equal, which subtracted counts one. */
BY_LEVEL_TARGET static inline void add_row(const unsigned char *restrict row, Py_ssize_t units,
                                           Py_ssize_t width, uint8_t *restrict by_group,
                                           uint8_t *restrict by_point) {
    Py_ssize_t u = 0;
    for (; u + 32 <= units; u += 32) {
        __m256i codes = _mm256_loadu_si256((const __m256i *)(row + u));
        for (Py_ssize_t level = 0; level < width; level++) {
            __m256i hit = _mm256_cmpeq_epi8(codes, _mm256_set1_epi8((char)level));
            __m256i *g = (__m256i *)(by_group + level * units + u);
            __m256i *p = (__m256i *)(by_point + level * units + u);
            _mm256_storeu_si256(g, _mm256_sub_epi8(_mm256_loadu_si256(g), hit));
            _mm256_storeu_si256(p, _mm256_sub_epi8(_mm256_loadu_si256(p), hit));
        }
    }
    for (; u + 16 <= units; u += 16) {
        __m128i codes = _mm_loadu_si128((const __m128i *)(row + u));
        for (Py_ssize_t level = 0; level < width; level++) {
            __m128i hit = _mm_cmpeq_epi8(codes, _mm_set1_epi8((char)level));
            __m128i *g = (__m128i *)(by_group + level * units + u);
            __m128i *p = (__m128i *)(by_point + level * units + u);
            _mm_storeu_si128(g, _mm_sub_epi8(_mm_loadu_si128(g), hit));
            _mm_storeu_si128(p, _mm_sub_epi8(_mm_loadu_si128(p), hit));
        }
    }
    for (; u < units; u++) {
        Py_ssize_t at = row[u] * units + u;
        by_group[at] += 1;
        by_point[at] += 1;
    }
}

BY_LEVEL_TARGET static void tally_run(const unsigned char *codes, const unsigned char *skip,
                                      const unsigned char *group_slot,
                                      const unsigned char *point_slot, Py_ssize_t first,
                                      Py_ssize_t last, Py_ssize_t units, Py_ssize_t width,
                                      uint8_t *by_group, uint8_t *by_point) {
    Py_ssize_t block = width * units;
    for (Py_ssize_t i = first; i < last; i++) {
        if (skip != NULL && skip[i]) continue;
        add_row(codes + i * units, units, width, by_group + group_slot[i] * block,
                by_point + point_slot[i] * block);
    }
}
#endif

#ifdef BY_LEVEL
/* A run's byte counters added into the call's 16-bit ones (no run holds more than 255
 * rows, no call's counters more than 65,535 before they are added to the grids). */
BY_LEVEL_TARGET static void widen(const uint8_t *restrict run, uint16_t *restrict total,
                                  Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++) total[i] += run[i];
}
#endif

/* The counters, (slot, level, unit), added into the grids' (name, unit, level) cells. */
static void add_slots(const uint16_t *counters, const Slots *slots, int64_t *grid,
                      Py_ssize_t units, Py_ssize_t width, int sign) {
    Py_ssize_t block = width * units;
    for (int k = 0; k < slots->used; k++) {
        int64_t *cells = grid + slots->name[k] * block;
        const uint16_t *from = counters + k * block;
        for (Py_ssize_t level = 0; level < width; level++) {
            const uint16_t *counted = from + level * units;
            if (sign > 0)
                for (Py_ssize_t u = 0; u < units; u++) cells[u * width + level] += counted[u];
            else
                for (Py_ssize_t u = 0; u < units; u++) cells[u * width + level] -= counted[u];
        }
    }
}

/* `count`'s rows counted level by level (`tally_run`) where that pays and can be done: the
 * CPU has AVX2, few levels, few names among the rows, enough rows. 0: not done, nothing
 * changed (the caller counts cell by cell). */
static int count_by_level(const unsigned char *codes, const Py_ssize_t *group_of,
                          const Py_ssize_t *point_of, const unsigned char *skip, Py_ssize_t rows,
                          Target *t) {
#ifdef BY_LEVEL
    if (rows < 64 || t->width > 8 || t->units > 4096 || !__builtin_cpu_supports("avx2")) return 0;
    Slots groups = {.used = 0}, points = {.used = 0};
    unsigned char *slot = PyMem_Malloc((size_t)rows * 2);
    if (slot == NULL) return 0;
    for (Py_ssize_t i = 0; i < rows; i++) {
        int g = slot_of(&groups, group_of[i]), p = slot_of(&points, point_of[i]);
        if (g < 0 || p < 0) {
            PyMem_Free(slot);
            return 0;
        }
        slot[i] = (unsigned char)g;
        slot[rows + i] = (unsigned char)p;
    }
    Py_ssize_t block = t->width * t->units;
    Py_ssize_t group_cells = groups.used * block, point_cells = points.used * block;
    uint8_t *run = PyMem_Malloc((size_t)(group_cells + point_cells));
    uint16_t *total = PyMem_Calloc((size_t)(group_cells + point_cells), sizeof(uint16_t));
    if (run == NULL || total == NULL) {
        PyMem_Free(run);
        PyMem_Free(total);
        PyMem_Free(slot);
        return 0;
    }
    Py_ssize_t held = 0; /* rows in `total` not yet added to the grids */
    for (Py_ssize_t first = 0; first < rows; first += 255) {
        Py_ssize_t last = first + 255 < rows ? first + 255 : rows;
        memset(run, 0, (size_t)(group_cells + point_cells));
        tally_run(codes, skip, slot, slot + rows, first, last, t->units, t->width, run,
                  run + group_cells);
        widen(run, total, group_cells + point_cells);
        held += last - first;
        if (held > 65535 - 255 || last == rows) {
            add_slots(total, &groups, t->group_grid, t->units, t->width, t->sign);
            add_slots(total + group_cells, &points, t->point_grid, t->units, t->width, t->sign);
            memset(total, 0, (size_t)(group_cells + point_cells) * sizeof(uint16_t));
            held = 0;
        }
    }
    for (Py_ssize_t i = 0; i < rows; i++) {
        if (skip != NULL && skip[i]) continue;
        t->group_rows[group_of[i]] += t->sign;
        t->point_rows[point_of[i]] += t->sign;
    }
    PyMem_Free(run);
    PyMem_Free(total);
    PyMem_Free(slot);
    return 1;
#else
    return 0;
#endif
}

static PyObject *count(PyObject *self, PyObject *args) {
    CountBuffers b;
    memset(&b, 0, sizeof b);
    Py_ssize_t units, width;
    int sign;
    Py_buffer *all[] = {&b.codes,      &b.group_of,   &b.point_of,   &b.skip,
                        &b.group_grid, &b.point_grid, &b.group_rows, &b.point_rows};
    if (!PyArg_ParseTuple(args, "y*y*y*y*w*w*w*w*nni", &b.codes, &b.group_of, &b.point_of,
                          &b.skip, &b.group_grid, &b.point_grid, &b.group_rows, &b.point_rows,
                          &units, &width, &sign)) {
        release_all(all, 8);
        return NULL;
    }
    const char *problem = NULL;
    Py_ssize_t rows = b.group_of.len / (Py_ssize_t)sizeof(Py_ssize_t);
    Py_ssize_t cell = units * width;
    Py_ssize_t groups = b.group_rows.len / (Py_ssize_t)sizeof(int64_t);
    Py_ssize_t points = b.point_rows.len / (Py_ssize_t)sizeof(int64_t);
    if (units <= 0 || width <= 0 || (sign != 1 && sign != -1))
        problem = "units, width and sign";
    else if (b.point_of.len != b.group_of.len || b.codes.len != rows * units ||
             (b.skip.len != 0 && b.skip.len != rows))
        problem = "rows of codes and their groups, points and skips differ in number";
    else if (b.group_grid.len != groups * cell * (Py_ssize_t)sizeof(int64_t) ||
             b.point_grid.len != points * cell * (Py_ssize_t)sizeof(int64_t))
        problem = "grids do not match their row counts";
    const unsigned char *codes = (const unsigned char *)b.codes.buf;
    const Py_ssize_t *group_of = (const Py_ssize_t *)b.group_of.buf;
    const Py_ssize_t *point_of = (const Py_ssize_t *)b.point_of.buf;
    const unsigned char *skip = b.skip.len ? (const unsigned char *)b.skip.buf : NULL;
    if (problem == NULL) {
        unsigned char highest = 0;
        for (Py_ssize_t i = 0; i < rows * units; i++)
            if (codes[i] > highest) highest = codes[i];
        if (rows && highest >= width) problem = "a level byte outside the grid";
    }
    for (Py_ssize_t i = 0; problem == NULL && i < rows; i++)
        if (group_of[i] < 0 || group_of[i] >= groups || point_of[i] < 0 || point_of[i] >= points)
            problem = "a group or point outside the grid";
    if (problem != NULL) {
        release_all(all, 8);
        PyErr_SetString(PyExc_ValueError, problem);
        return NULL;
    }
    int64_t *group_grid = (int64_t *)b.group_grid.buf, *point_grid = (int64_t *)b.point_grid.buf;
    int64_t *group_rows = (int64_t *)b.group_rows.buf, *point_rows = (int64_t *)b.point_rows.buf;
    Target target = {group_grid, point_grid, group_rows, point_rows, units, width, sign};
    if (count_by_level(codes, group_of, point_of, skip, rows, &target)) {
        release_all(all, 8);
        Py_RETURN_NONE;
    }
    for (Py_ssize_t i = 0; i < rows; i++) {
        if (skip != NULL && skip[i]) continue;
        int64_t *by_group = group_grid + group_of[i] * cell;
        int64_t *by_point = point_grid + point_of[i] * cell;
        const unsigned char *row = codes + i * units;
        for (Py_ssize_t u = 0; u < units; u++) {
            Py_ssize_t at = u * width + row[u];
            by_group[at] += sign;
            by_point[at] += sign;
        }
        group_rows[group_of[i]] += sign;
        point_rows[point_of[i]] += sign;
    }
    release_all(all, 8);
    Py_RETURN_NONE;
}

/* datetimes(values: list) -> bool
 * True where every value is an exact text YYYY-MM-DDTHH:MM:SS, optionally .F to .FFFFFF,
 * then Z or +HH:MM / -HH:MM, naming a real date and time (year 1 on, the month's days,
 * hours below 24, minutes and seconds below 60, an offset below 24 hours): what the
 * fallback (the shape's regular expression and `datetime.fromisoformat`) accepts of these
 * shapes. False means "ask the fallback", never "refused". */
static int digits(const unsigned char *s, int n, int *value) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        v = v * 10 + (s[i] - '0');
    }
    *value = v;
    return 1;
}

static int days_in(int year, int month) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))) return 29;
    return days[month - 1];
}

static int datetime_bytes(const unsigned char *s, Py_ssize_t n) {
    int year, month, day, hour, minute, second, fraction, oh, om;
    if (n < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
        return 0;
    if (!digits(s, 4, &year) || !digits(s + 5, 2, &month) || !digits(s + 8, 2, &day) ||
        !digits(s + 11, 2, &hour) || !digits(s + 14, 2, &minute) || !digits(s + 17, 2, &second))
        return 0;
    if (year < 1 || month < 1 || month > 12 || day < 1 || day > days_in(year, month) ||
        hour > 23 || minute > 59 || second > 59)
        return 0;
    Py_ssize_t at = 19;
    if (s[at] == '.') {
        Py_ssize_t start = ++at;
        while (at < n && at - start < 7 && s[at] >= '0' && s[at] <= '9') at++;
        Py_ssize_t places = at - start;
        if (places < 1 || places > 6 || !digits(s + start, (int)places, &fraction)) return 0;
    }
    if (at == n - 1) return s[at] == 'Z';
    if (at != n - 6 || (s[at] != '+' && s[at] != '-') || s[at + 3] != ':') return 0;
    if (!digits(s + at + 1, 2, &oh) || !digits(s + at + 4, 2, &om)) return 0;
    return oh <= 23 && om <= 59;
}

static int is_datetime(PyObject *value) {
    if (!PyUnicode_CheckExact(value) || PyUnicode_KIND(value) != PyUnicode_1BYTE_KIND) return 0;
    return datetime_bytes(PyUnicode_1BYTE_DATA(value), PyUnicode_GET_LENGTH(value));
}

static PyObject *datetimes(PyObject *self, PyObject *args) {
    PyObject *values;
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &values)) return NULL;
    Py_ssize_t count = PyList_GET_SIZE(values);
    for (Py_ssize_t i = 0; i < count; i++)
        if (!is_datetime(PyList_GET_ITEM(values, i))) Py_RETURN_FALSE;
    Py_RETURN_TRUE;
}

/* texts_or_none(values: list) -> bool: every value an exact str or None. */
static PyObject *texts_or_none(PyObject *self, PyObject *args) {
    PyObject *values;
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &values)) return NULL;
    Py_ssize_t count = PyList_GET_SIZE(values);
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *value = PyList_GET_ITEM(values, i);
        if (value != Py_None && !PyUnicode_CheckExact(value)) Py_RETURN_FALSE;
    }
    Py_RETURN_TRUE;
}

static int same_text(PyObject *a, PyObject *b) {
    if (a == b) return 1;
    if (a == NULL || b == NULL || !PyUnicode_CheckExact(a) || !PyUnicode_CheckExact(b)) return 0;
    Py_ssize_t n = PyUnicode_GET_LENGTH(a);
    int kind = PyUnicode_KIND(a);
    return n == PyUnicode_GET_LENGTH(b) && kind == PyUnicode_KIND(b) &&
           memcmp(PyUnicode_DATA(a), PyUnicode_DATA(b), (size_t)(n * kind)) == 0;
}

/* members(values: list, allowed: frozenset) -> bool
 * Every value None or an exact str in `allowed` (a column of few distinct values: a value
 * equal to the one before it is not looked up again). False: ask the fallback. */
static PyObject *members(PyObject *self, PyObject *args) {
    PyObject *values, *allowed;
    if (!PyArg_ParseTuple(args, "O!O!", &PyList_Type, &values, &PyFrozenSet_Type, &allowed))
        return NULL;
    Py_ssize_t count = PyList_GET_SIZE(values);
    PyObject *last = NULL;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *value = PyList_GET_ITEM(values, i);
        if (same_text(value, last)) continue;
        if (value != Py_None && !PyUnicode_CheckExact(value)) Py_RETURN_FALSE;
        int found = PySet_Contains(allowed, value);
        if (found < 0) {
            PyErr_Clear();
            Py_RETURN_FALSE;
        }
        if (!found) Py_RETURN_FALSE;
        last = value;
    }
    Py_RETURN_TRUE;
}


/* ---------------------------------------------------------------------------------------
 * read_part(body: bytes, channels: tuple[bytes, ...], defer: frozenset) -> tuple | None
 *
 * A stored `survey.batch.recorded` v2 body, read straight from its bytes into what
 * `columns.plain_columns` reads of its decoded payload, without making a Python object per
 * questionnaire: (wave_id, levels, response_ids, groups, points, codes, width, extras,
 * in_defer, (group_of, group_names), (point_of, point_names)) — the response ids as one
 * bytes of 36 a questionnaire, groups and points None where each row's index among at
 * most 32 distinct values is given (`_of`, `_names`), else lists whose equal texts are one
 * object (and the indices None), codes the rows' code bytes row after row, extras the raw
 * JSON of the extras list (or None), in_defer the indices of the ids in `defer`. Only the canonical form survey stores is read: the envelope's five keys and the
 * payload's in sorted order, no whitespace, strings without escapes, integers as plain
 * digits, rows of ASCII codes. Anything else, and anything `plain_columns` would refuse
 * that is checked here, answers None: the caller decodes the body as before, which reads
 * it or says why not. So where this answers, orjson would have parsed the body and the
 * envelope validated (tests/scoring/engine/test_fold_stored.py holds the two readings
 * equal on generated and mangled bodies).
 * ------------------------------------------------------------------------------------- */

typedef struct {
    const unsigned char *at, *end;
} Cursor;

static int literal(Cursor *c, const char *text, size_t n) {
    if ((size_t)(c->end - c->at) < n || memcmp(c->at, text, n) != 0) return 0;
    c->at += n;
    return 1;
}
#define LITERAL(c, text) literal((c), (text), sizeof(text) - 1)

/* Strict UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF), as orjson
 * requires of a string. */
static int utf8_ok(const unsigned char *s, Py_ssize_t n) {
    Py_ssize_t i = 0;
    while (i < n) {
        unsigned char b = s[i];
        if (b < 0x80) {
            i++;
            continue;
        }
        int more;
        unsigned int low = 0x80, high = 0xBF;
        if (b >= 0xC2 && b <= 0xDF) more = 1;
        else if (b == 0xE0) more = 2, low = 0xA0;
        else if (b >= 0xE1 && b <= 0xEC) more = 2;
        else if (b == 0xED) more = 2, high = 0x9F;
        else if (b >= 0xEE && b <= 0xEF) more = 2;
        else if (b == 0xF0) more = 3, low = 0x90;
        else if (b >= 0xF1 && b <= 0xF3) more = 3;
        else if (b == 0xF4) more = 3, high = 0x8F;
        else return 0;
        if (i + more >= n) return 0;
        for (int k = 1; k <= more; k++) {
            unsigned char t = s[i + k];
            if (k == 1 ? (t < low || t > high) : (t < 0x80 || t > 0xBF)) return 0;
        }
        i += more + 1;
    }
    return 1;
}

/* Bytes a string may hold as they are: no quote, escape or control character. */
static int plain_bytes(const unsigned char *s, Py_ssize_t n, int *wide) {
    unsigned char control = 0, special = 0, high = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned char b = s[i];
        control |= b < 0x20;
        special |= (b == '\\') | (b == '"');
        high |= b;
    }
    *wide = high >= 0x80;
    return !(control | special);
}

/* The string at the cursor, its closing quote found and its bytes looked at in one pass
 * (a part's strings are short: a call to memchr and a second pass cost more): its content
 * and whether that holds an escape or a control character (`plain` 0) or a byte above
 * ASCII (`wide` 1). The cursor moves past it. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
#define WORDS 1 /* strings looked at eight bytes at a time */
#endif
#define EVERY_BYTE(b) (0x0101010101010101ULL * (uint64_t)(b))

#ifdef WORDS
static inline uint64_t load_word(const unsigned char *p) {
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

/* The high bit of every byte below `n` (n at most 0x80): exact up to the first such byte;
 * above it a byte may be marked by the borrow, so only the first mark, or marks below
 * another known to be true, are read. */
static inline uint64_t bytes_below(uint64_t w, unsigned char n) {
    return (w - EVERY_BYTE(n)) & ~w & EVERY_BYTE(0x80);
}
#endif

static inline int scan_string(Cursor *c, const unsigned char **start, Py_ssize_t *length,
                              int *plain, int *wide) {
    if (c->at >= c->end || *c->at != '"') return 0;
    const unsigned char *s = c->at + 1, *p = s, *end = c->end;
    unsigned char special = 0, high = 0;
#ifdef WORDS
    /* Eight bytes at a time up to the word holding the closing quote, whose bytes before
     * the quote are looked at alone (marks past the quote are the next string's). */
    uint64_t marked = 0, highs = 0;
    while (end - p >= 8) {
        uint64_t w = load_word(p);
        uint64_t quote = bytes_below(w ^ EVERY_BYTE('"'), 1);
        uint64_t bad = bytes_below(w, 0x20) | bytes_below(w ^ EVERY_BYTE('\\'), 1);
        if (quote) {
            int k = __builtin_ctzll(quote) >> 3;
            uint64_t before = k ? ~0ULL >> (64 - 8 * k) : 0;
            marked |= bad & before;
            highs |= w & before & EVERY_BYTE(0x80);
            p += k;
            break;
        }
        marked |= bad;
        highs |= w & EVERY_BYTE(0x80);
        p += 8;
    }
    special = marked != 0;
    high = highs ? 0x80 : 0;
#endif
    while (p < end && *p != '"') {
        unsigned char b = *p++;
        special |= (unsigned char)((b < 0x20) | (b == '\\'));
        high |= b;
    }
    if (p >= end) return 0;
    *start = s;
    *length = p - s;
    *plain = !special;
    *wide = high >= 0x80;
    c->at = p + 1;
    return 1;
}

/* The first (at most) eight bytes at `s` of a run of `n` as one number, the bytes past the
 * run zero: a short name is hashed and compared by it. */
static inline uint64_t head_word(const unsigned char *s, Py_ssize_t n, const unsigned char *end) {
    Py_ssize_t k = n < 8 ? n : 8;
    uint64_t w = 0;
#ifdef WORDS
    if (end - s >= 8) {
        w = load_word(s);
        return k == 8 ? w : w & ((1ULL << (8 * k)) - 1);
    }
#endif
    for (Py_ssize_t i = 0; i < k; i++) w |= (uint64_t)s[i] << (8 * i);
    return w;
}

/* Whether two short runs of bytes are equal (inline: memcmp's call costs more). */
static int same_bytes(const unsigned char *a, const unsigned char *b, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++)
        if (a[i] != b[i]) return 0;
    return 1;
}

/* A string's content (between its quotes): no escape, no control character, valid UTF-8. */
static int string_span(Cursor *c, const unsigned char **start, Py_ssize_t *length) {
    int plain, wide;
    if (!scan_string(c, start, length, &plain, &wide)) return 0;
    return plain && (!wide || utf8_ok(*start, *length));
}

/* A string of exactly `n` bytes of content, found by its length (a column of equal
 * widths: response ids, rows), checked as `string_span` checks one. */
static int string_of(Cursor *c, Py_ssize_t n, const unsigned char **start) {
    if (c->end - c->at < n + 2 || c->at[0] != '"' || c->at[n + 1] != '"') return 0;
    const unsigned char *s = c->at + 1;
    int wide;
    if (!plain_bytes(s, n, &wide) || (wide && !utf8_ok(s, n))) return 0;
    *start = s;
    c->at += n + 2;
    return 1;
}

static PyObject *new_text(const unsigned char *s, Py_ssize_t n) {
    PyObject *text = PyUnicode_DecodeUTF8((const char *)s, n, "strict");
    if (text == NULL) PyErr_Clear();
    return text;
}

static int is_null(Cursor *c) { return c->at < c->end && *c->at == 'n' && LITERAL(c, "null"); }

/* A positive integer as plain digits (no sign, no leading zero), below a billion. */
static int small_positive(Cursor *c) {
    const unsigned char *s = c->at;
    while (c->at < c->end && *c->at >= '0' && *c->at <= '9' && c->at - s < 10) c->at++;
    Py_ssize_t n = c->at - s;
    if (n == 0 || n > 9 || *s == '0') return 0;
    return c->at >= c->end || (*c->at != '.' && *c->at != 'e' && *c->at != 'E');
}

/* A hex digit's value; 0xF0 for any other byte (so an OR of values shows a bad one). */
static unsigned char hex_value[256];

static void make_hex_values(void) {
    memset(hex_value, 0xF0, sizeof hex_value);
    for (int b = '0'; b <= '9'; b++) hex_value[b] = (unsigned char)(b - '0');
    for (int b = 'a'; b <= 'f'; b++) hex_value[b] = (unsigned char)(b - 'a' + 10);
}

/* Where a canonical UUID's text has its 32 hex digits (the dashes between them). */
static const unsigned char hex_at[32] = {0,  1,  2,  3,  4,  5,  6,  7,  9,  10, 11,
                                         12, 14, 15, 16, 17, 19, 20, 21, 22, 24, 25,
                                         26, 27, 28, 29, 30, 31, 32, 33, 34, 35};

/* Whether the 36 bytes are a canonical UUID's text (small hex digits, dashes at 8, 13, 18
 * and 23), and its 128 bits: one pass, the digits through a table (a response id is read
 * for every questionnaire of a replay). */
static int uuid_parse(const unsigned char *s, uint64_t *high, uint64_t *low) {
    if (s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') return 0;
    uint64_t h = 0, l = 0;
    unsigned char bad = 0;
    for (int i = 0; i < 16; i++) {
        unsigned char v = hex_value[s[hex_at[i]]];
        bad |= v;
        h = (h << 4) | (v & 15);
    }
    for (int i = 16; i < 32; i++) {
        unsigned char v = hex_value[s[hex_at[i]]];
        bad |= v;
        l = (l << 4) | (v & 15);
    }
    *high = h;
    *low = l;
    return !(bad & 0xF0);
}

static int uuid_bytes(const unsigned char *s, Py_ssize_t n) {
    uint64_t high, low;
    return n == 36 && uuid_parse(s, &high, &low);
}

static int uuid_value(Cursor *c, int may_be_null) {
    if (may_be_null && is_null(c)) return 1;
    const unsigned char *s;
    return string_of(c, 36, &s) && uuid_bytes(s, 36);
}

/* Skips one JSON value of the extras (objects, lists, strings with escapes, literals,
 * numbers), only to find where the list ends: orjson reads the slice afterwards. */
static int skip_value(Cursor *c, int depth) {
    if (depth > 16 || c->at >= c->end) return 0;
    unsigned char b = *c->at;
    if (b == '"') {
        c->at++;
        while (c->at < c->end && *c->at != '"') {
            if (*c->at == '\\' && c->end - c->at < 2) return 0;
            c->at += *c->at == '\\' ? 2 : 1;
        }
        if (c->at >= c->end) return 0;
        c->at++;
        return 1;
    }
    if (b == '[' || b == '{') {
        unsigned char close = b == '[' ? ']' : '}';
        c->at++;
        if (c->at < c->end && *c->at == close) {
            c->at++;
            return 1;
        }
        for (;;) {
            if (b == '{' && (!skip_value(c, depth + 1) || !LITERAL(c, ":"))) return 0;
            if (!skip_value(c, depth + 1)) return 0;
            if (c->at < c->end && *c->at == ',') {
                c->at++;
                continue;
            }
            if (c->at < c->end && *c->at == close) {
                c->at++;
                return 1;
            }
            return 0;
        }
    }
    const unsigned char *s = c->at;
    while (c->at < c->end && *c->at != ',' && *c->at != ']' && *c->at != '}' && *c->at != ':')
        c->at++;
    return c->at > s;
}

/* The list of a column: `[` entries `]`, each read by `entry`. */
typedef int (*Entry)(Cursor *c, void *state, Py_ssize_t index);

static int list_of(Cursor *c, Entry entry, void *state, Py_ssize_t *count) {
    if (!LITERAL(c, "[")) return 0;
    Py_ssize_t n = 0;
    if (LITERAL(c, "]")) {
        *count = 0;
        return 1;
    }
    for (;;) {
        if (!entry(c, state, n++)) return 0;
        if (c->at < c->end && *c->at == ',') {
            c->at++;
            continue;
        }
        if (!LITERAL(c, "]")) return 0;
        *count = n;
        return 1;
    }
}

static int text_entry(Cursor *c, void *state, Py_ssize_t index) {
    const unsigned char *s;
    Py_ssize_t n;
    return string_span(c, &s, &n);
}

static int datetime_entry(Cursor *c, void *state, Py_ssize_t index) {
    const unsigned char *s;
    Py_ssize_t n;
    return string_span(c, &s, &n) && datetime_bytes(s, n);
}

/* Channels: null or one of the allowed texts (a tuple of bytes); a value equal to the one
 * before it is not looked up again. */
typedef struct {
    PyObject *allowed;
    const unsigned char *last;
    Py_ssize_t last_length;
} Channels;

static int channel_entry(Cursor *c, void *state, Py_ssize_t index) {
    if (is_null(c)) return 1;
    Channels *channels = (Channels *)state;
    const unsigned char *s;
    Py_ssize_t n;
    if (!string_span(c, &s, &n)) return 0;
    if (channels->last != NULL && n == channels->last_length &&
        same_bytes(s, channels->last, n))
        return 1;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(channels->allowed); i++) {
        PyObject *one = PyTuple_GET_ITEM(channels->allowed, i);
        if (PyBytes_Check(one) && PyBytes_GET_SIZE(one) == n && memcmp(PyBytes_AS_STRING(one), s, (size_t)n) == 0) {
            channels->last = s;
            channels->last_length = n;
            return 1;
        }
    }
    return 0;
}

/* A column of texts or null: while it names at most 32 distinct values (a part names few
 * groups and points), each row's index among them (`of`, `distinct`), from which the
 * tally counts without looking each row's name up, and no list; past that, a list whose
 * equal texts are one object. */
#define NAMES_SEEN 32
#define NAME_SLOTS 64 /* a power of two, twice NAMES_SEEN: the seen values by hash */
typedef struct {
    PyObject *list; /* NULL until more than NAMES_SEEN distinct values */
    PyObject *seen[NAMES_SEEN]; /* owned */
    const unsigned char *seen_at[NAMES_SEEN];
    Py_ssize_t seen_length[NAMES_SEEN]; /* -1: None */
    uint64_t seen_head[NAMES_SEEN]; /* `head_word` of each */
    unsigned char slot_of[NAME_SLOTS]; /* a seen value's index + 1 by its hash; 0: free */
    int seen_count;
    int overflow; /* more distinct values than NAMES_SEEN: no indices */
    unsigned char *of; /* a row's index among the distinct values */
    Py_ssize_t capacity;
} Names;

/* A name's first slot, from its length (-1: None) and head word. */
static Py_ssize_t name_slot(uint64_t head, Py_ssize_t n) {
    uint64_t mixed = (head ^ ((uint64_t)(n + 1) * 0x9E3779B97F4A7C15ULL)) * 0xD6E8FEB86659FD93ULL;
    return (Py_ssize_t)(mixed >> 58) & (NAME_SLOTS - 1);
}

/* The index among the seen values of the name (NULL, -1: None), or -1; `*slot` the slot
 * where it is, or the free one where it would go. */
static int name_seen(Names *names, const unsigned char *s, Py_ssize_t n, uint64_t head,
                     Py_ssize_t *slot) {
    Py_ssize_t at = name_slot(head, n);
    while (names->slot_of[at]) {
        int i = names->slot_of[at] - 1;
        if (names->seen_length[i] == n && names->seen_head[i] == head &&
            (n <= 8 || same_bytes(names->seen_at[i] + 8, s + 8, n - 8))) {
            *slot = at;
            return i;
        }
        at = (at + 1) & (NAME_SLOTS - 1);
    }
    *slot = at;
    return -1;
}

static int name_entry(Cursor *c, void *state, Py_ssize_t index) {
    Names *names = (Names *)state;
    if (index >= names->capacity) return 0;
    PyObject *value = NULL;
    const unsigned char *s = NULL;
    Py_ssize_t n = -1;
    int plain = 1, wide = 0;
    if (!is_null(c) && !scan_string(c, &s, &n, &plain, &wide)) return 0;
    uint64_t head = n < 0 ? 0 : head_word(s, n, c->end);
    Py_ssize_t slot;
    int found = name_seen(names, s, n, head, &slot);
    if (found >= 0) {
        value = Py_NewRef(names->seen[found]);
    } else {
        /* Checked only when first seen: a value seen already was checked then. */
        if (n >= 0 && (!plain || (wide && !utf8_ok(s, n)))) return 0;
        value = n < 0 ? Py_NewRef(Py_None) : new_text(s, n);
        if (value == NULL) return 0;
        if (names->seen_count < NAMES_SEEN) {
            found = names->seen_count++;
            names->seen[found] = Py_NewRef(value);
            names->seen_at[found] = s;
            names->seen_length[found] = n;
            names->seen_head[found] = head;
            names->slot_of[slot] = (unsigned char)(found + 1);
        } else {
            names->overflow = 1;
        }
    }
    names->of[index] = (unsigned char)(found < 0 ? 0 : found);
    int failed = 0;
    if (names->overflow && names->list == NULL) {
        /* Past NAMES_SEEN distinct values: from here on a list, the rows before made of
         * the values seen. */
        names->list = PyList_New(index);
        failed = names->list == NULL;
        for (Py_ssize_t i = 0; !failed && i < index; i++)
            PyList_SET_ITEM(names->list, i, Py_NewRef(names->seen[names->of[i]]));
    }
    if (!failed && names->list != NULL) failed = PyList_Append(names->list, value);
    Py_DECREF(value);
    if (failed) PyErr_Clear();
    return !failed;
}

static void release_names(Names *names) {
    for (int i = 0; i < names->seen_count; i++) Py_DECREF(names->seen[i]);
    names->seen_count = 0;
    Py_CLEAR(names->list);
}

/* (row indices, distinct values) of a column read by `name_entry`, or (None, None). */
static PyObject *name_indices(Names *names, Py_ssize_t count) {
    if (names->overflow) return Py_BuildValue("(OO)", Py_None, Py_None);
    PyObject *distinct = PyList_New(names->seen_count);
    if (distinct == NULL) return NULL;
    for (int i = 0; i < names->seen_count; i++)
        PyList_SET_ITEM(distinct, i, Py_NewRef(names->seen[i]));
    PyObject *of = PyBytes_FromStringAndSize((const char *)names->of, count);
    if (of == NULL) {
        Py_DECREF(distinct);
        return NULL;
    }
    return Py_BuildValue("(NN)", of, distinct);
}

static int level_entry(Cursor *c, void *state, Py_ssize_t index) {
    const unsigned char *s;
    Py_ssize_t n;
    if (!string_span(c, &s, &n)) return 0;
    PyObject *text = new_text(s, n);
    if (text == NULL) return 0;
    int failed = PyList_Append((PyObject *)state, text);
    Py_DECREF(text);
    if (failed) PyErr_Clear();
    return !failed;
}

/* An open-addressing set of 128-bit ids. */
typedef struct {
    uint64_t *words; /* 2 an entry */
    unsigned char *used;
    Py_ssize_t slots; /* a power of two */
} IdSet;

static int id_set_make(IdSet *set, Py_ssize_t count) {
    for (set->slots = 16; set->slots < 2 * count; set->slots *= 2) {
    }
    set->words = PyMem_Calloc((size_t)set->slots * 2, sizeof(uint64_t));
    set->used = PyMem_Calloc((size_t)set->slots, 1);
    return set->words != NULL && set->used != NULL;
}

static void id_set_free(IdSet *set) {
    PyMem_Free(set->words);
    PyMem_Free(set->used);
    set->words = NULL;
    set->used = NULL;
    set->slots = 0;
}

/* 1 if the id is in the set; else 0, and with `add` it is now. */
static int id_set_has(IdSet *set, uint64_t high, uint64_t low, int add) {
    Py_ssize_t mask = set->slots - 1;
    Py_ssize_t at = (Py_ssize_t)((low ^ (high * 0x9E3779B97F4A7C15ULL)) >> 7) & mask;
    while (set->used[at]) {
        if (set->words[2 * at] == high && set->words[2 * at + 1] == low) return 1;
        at = (at + 1) & mask;
    }
    if (add) {
        set->used[at] = 1;
        set->words[2 * at] = high;
        set->words[2 * at + 1] = low;
    }
    return 0;
}

/* The ids of the last `defer` set met, as an IdSet: a range hands the same set with every
 * part, so it is made once (the set held, so that no other object takes its address).
 * Not usable (each id looked up in the set itself) where a member is not a canonical
 * UUID's text. */
static PyObject *defer_held;
static IdSet defer_ids;
static int defer_usable;
/* A bit an id of `defer_ids` may have, looked at first: a range's thousands of named ids
 * make a table larger than the fastest cache, which nearly every id is not in. */
#define DEFER_BITS (1 << 16)
static uint64_t defer_bits[DEFER_BITS / 64];

static Py_ssize_t defer_bit(uint64_t high, uint64_t low) {
    return (Py_ssize_t)(((low + high) * 0xD6E8FEB86659FD93ULL) >> 48);
}

static int may_defer(uint64_t high, uint64_t low) {
    Py_ssize_t bit = defer_bit(high, low);
    return (defer_bits[bit >> 6] >> (bit & 63)) & 1;
}

static void prepare_defer(PyObject *defer) {
    if (defer == defer_held) return;
    id_set_free(&defer_ids);
    Py_XSETREF(defer_held, Py_NewRef(defer));
    defer_usable = id_set_make(&defer_ids, PySet_GET_SIZE(defer));
    memset(defer_bits, 0, sizeof defer_bits);
    PyObject *iterator = defer_usable ? PyObject_GetIter(defer) : NULL;
    PyObject *item;
    uint64_t high, low;
    while (iterator != NULL && (item = PyIter_Next(iterator)) != NULL) {
        if (PyUnicode_CheckExact(item) && PyUnicode_KIND(item) == PyUnicode_1BYTE_KIND &&
            PyUnicode_GET_LENGTH(item) == 36 &&
            uuid_parse(PyUnicode_1BYTE_DATA(item), &high, &low)) {
            id_set_has(&defer_ids, high, low, 1);
            Py_ssize_t bit = defer_bit(high, low);
            defer_bits[bit >> 6] |= (uint64_t)1 << (bit & 63);
        } else {
            defer_usable = 0;
        }
        Py_DECREF(item);
    }
    Py_XDECREF(iterator);
    if (iterator == NULL || PyErr_Occurred()) defer_usable = 0;
    PyErr_Clear();
}

/* Response ids: each a canonical UUID's text, kept as its bytes (a str is made of the
 * few a fold asks for); none twice in the part (a table of their 128 bits); `in_defer`
 * the indices of those in `defer`. */
typedef struct {
    unsigned char *texts; /* 36 bytes an id, one after another */
    PyObject *defer; /* a frozenset of str, maybe empty */
    PyObject *in_defer; /* list of int */
    IdSet seen;
    Py_ssize_t count;
} Responses;

static int response_entry(Cursor *c, void *state, Py_ssize_t index) {
    Responses *r = (Responses *)state;
    /* The quotes around 36 bytes that are a UUID's text: nothing to escape, ASCII. */
    if (c->end - c->at < 38 || c->at[0] != '"' || c->at[37] != '"') return 0;
    const unsigned char *s = c->at + 1;
    uint64_t high, low;
    if (!uuid_parse(s, &high, &low)) return 0;
    c->at += 38;
    if (index >= r->count || id_set_has(&r->seen, high, low, 1)) return 0;
    memcpy(r->texts + index * 36, s, 36);
    int named = 0;
    if (PySet_GET_SIZE(r->defer)) {
        if (defer_usable) {
            named = may_defer(high, low) && id_set_has(&defer_ids, high, low, 0);
        } else {
            PyObject *text = new_text(s, 36);
            named = text == NULL ? -1 : PySet_Contains(r->defer, text);
            Py_XDECREF(text);
        }
    }
    int failed = named < 0;
    if (!failed && named) {
        PyObject *at = PyLong_FromSsize_t(index);
        failed = at == NULL || PyList_Append(r->in_defer, at);
        Py_XDECREF(at);
    }
    if (failed) PyErr_Clear();
    return !failed;
}

/* Rows: ASCII texts of one width, each character a code of the part's levels (the row
 * alphabet's first 62 characters: digits, then capitals, then small letters). */
typedef struct {
    long levels;
    Py_ssize_t width;
    unsigned char *codes; /* room for `capacity` rows of `width` */
    Py_ssize_t capacity;
} Rows;

static unsigned char row_codes_of[256];

static void make_row_codes(void) {
    memset(row_codes_of, 255, sizeof row_codes_of);
    for (int b = '0'; b <= '9'; b++) row_codes_of[b] = (unsigned char)(b - '0');
    for (int b = 'A'; b <= 'Z'; b++) row_codes_of[b] = (unsigned char)(b - 'A' + 10);
    for (int b = 'a'; b <= 'z'; b++) row_codes_of[b] = (unsigned char)(b - 'a' + 36);
}

static int row_entry(Cursor *c, void *state, Py_ssize_t index) {
    Rows *rows = (Rows *)state;
    Py_ssize_t n = rows->width;
    if (index >= rows->capacity) return 0;
    const unsigned char *s;
    if (c->end - c->at < n + 2 || c->at[0] != '"' || c->at[n + 1] != '"') return 0;
    s = c->at + 1;
    c->at += n + 2;
    unsigned char *out = rows->codes + index * n;
    /* Nearly every row is digits (a scale of at most ten codes): one pass the compiler
     * does many bytes at a time; anything else is read again through the table. */
    unsigned char above = 0;
    unsigned char top = (unsigned char)(rows->levels < 9 ? rows->levels : 9);
    for (Py_ssize_t j = 0; j < n; j++) {
        unsigned char code = (unsigned char)(s[j] - '0');
        above |= (unsigned char)(code > top);
        out[j] = code;
    }
    if (!above) return 1;
    unsigned char highest = 0;
    for (Py_ssize_t j = 0; j < n; j++) {
        unsigned char code = row_codes_of[s[j]]; /* 255 for a quote, escape, control … */
        highest = code > highest ? code : highest;
        out[j] = code;
    }
    return highest <= rows->levels;
}

static PyObject *read_part(PyObject *self, PyObject *args) {
    Py_buffer body;
    PyObject *allowed;
    PyObject *defer;
    if (!PyArg_ParseTuple(args, "y*O!O!", &body, &PyTuple_Type, &allowed, &PyFrozenSet_Type,
                          &defer))
        return NULL;
    Cursor cursor = {(const unsigned char *)body.buf, (const unsigned char *)body.buf + body.len};
    Cursor *c = &cursor;
    PyObject *wave_id = NULL, *levels = PyList_New(0), *ids = NULL, *codes = NULL;
    Names groups = {0}, points = {0};
    Channels channels = {.allowed = allowed};
    Responses responses = {.defer = defer, .in_defer = PyList_New(0)};
    Rows rows = {0};
    PyObject *result = NULL;
    const unsigned char *s, *extras_at = NULL;
    Py_ssize_t n, count = 0, other = 0, extras_length = 0;
    if (levels == NULL || responses.in_defer == NULL) goto done;
    /* The envelope up to the payload. */
    if (!LITERAL(c, "{\"event_type\":\"survey.batch.recorded\",\"occurred_at\":")) goto done;
    if (!string_span(c, &s, &n) || !datetime_bytes(s, n)) goto done;
    if (!LITERAL(c, ",\"origin\":\"survey\",\"payload\":{\"agency_id\":") || !uuid_value(c, 1))
        goto done;
    if (!LITERAL(c, ",\"batch_id\":") || !uuid_value(c, 0)) goto done;
    if (!LITERAL(c, ",\"channels\":") || !list_of(c, channel_entry, &channels, &count) ||
        count == 0)
        goto done;
    /* Room, now that the number of questionnaires is known: each name column's indices,
     * the response ids' table (a power of two, at least twice as many entries). */
    groups.of = PyMem_Malloc((size_t)count);
    points.of = PyMem_Malloc((size_t)count);
    groups.capacity = points.capacity = count;
    responses.count = count;
    /* The ids and rows are written straight into the bytes handed back. */
    ids = PyBytes_FromStringAndSize(NULL, count * 36);
    responses.texts = ids == NULL ? NULL : (unsigned char *)PyBytes_AS_STRING(ids);
    if (groups.of == NULL || points.of == NULL || responses.texts == NULL ||
        !id_set_make(&responses.seen, count))
        goto done;
    if (PySet_GET_SIZE(defer)) prepare_defer(defer);
    if (!LITERAL(c, ",\"collected_at\":") || !list_of(c, datetime_entry, NULL, &other) ||
        other != count)
        goto done;
    if (LITERAL(c, ",\"extras\":")) {
        extras_at = c->at;
        if (c->at >= c->end || *c->at != '[' || !skip_value(c, 0)) goto done;
        extras_length = c->at - extras_at;
    }
    if (!LITERAL(c, ",\"groups\":") || !list_of(c, name_entry, &groups, &other) || other != count)
        goto done;
    if (!LITERAL(c, ",\"levels\":") || !list_of(c, level_entry, levels, &other)) goto done;
    rows.levels = (long)PyList_GET_SIZE(levels);
    if (!LITERAL(c, ",\"part\":") || !small_positive(c)) goto done;
    if (!LITERAL(c, ",\"parts\":") || !small_positive(c)) goto done;
    if (!LITERAL(c, ",\"questionnaire_ids\":") || !list_of(c, text_entry, NULL, &other) ||
        other != count)
        goto done;
    if (!LITERAL(c, ",\"response_ids\":") ||
        !list_of(c, response_entry, &responses, &other) || other != count)
        goto done;
    /* Rows: every row the first row's width, room for `count` of them. */
    if (!LITERAL(c, ",\"rows\":")) goto done;
    {
        Cursor look = *c;
        if (!LITERAL(&look, "[") || !string_span(&look, &s, &n) || n == 0) goto done;
        /* Each row takes its width and three bytes of the body: no room is made for
         * rows the body cannot hold. */
        if (n > (c->end - c->at) / count) goto done;
        rows.width = n;
        rows.capacity = count;
        codes = PyBytes_FromStringAndSize(NULL, count * n);
        if (codes == NULL) goto done;
        rows.codes = (unsigned char *)PyBytes_AS_STRING(codes);
    }
    if (!list_of(c, row_entry, &rows, &other) || other != count) goto done;
    if (!LITERAL(c, ",\"survey_points\":") || !list_of(c, name_entry, &points, &other) ||
        other != count)
        goto done;
    if (!LITERAL(c, ",\"wave_id\":") || !string_of(c, 36, &s) || !uuid_bytes(s, 36)) goto done;
    wave_id = new_text(s, 36);
    if (wave_id == NULL) goto done;
    if (!LITERAL(c, "},\"schema_version\":2}") || c->at != c->end) goto done;
    {
        PyObject *extras =
            extras_at == NULL
                ? Py_NewRef(Py_None)
                : PyBytes_FromStringAndSize((const char *)extras_at, extras_length);
        PyObject *by_group = name_indices(&groups, count);
        PyObject *by_point = name_indices(&points, count);
        if (codes != NULL && extras != NULL && by_group != NULL && by_point != NULL && ids != NULL)
            result = Py_BuildValue("(OOOOOOnOOOO)", wave_id, levels, ids,
                                   groups.list ? groups.list : Py_None,
                                   points.list ? points.list : Py_None, codes, rows.width, extras,
                                   responses.in_defer, by_group, by_point);
        Py_XDECREF(extras);
        Py_XDECREF(by_group);
        Py_XDECREF(by_point);
    }
done:
    if (PyErr_Occurred()) PyErr_Clear();
    PyBuffer_Release(&body);
    Py_XDECREF(codes);
    Py_XDECREF(ids);
    PyMem_Free(groups.of);
    PyMem_Free(points.of);
    id_set_free(&responses.seen);
    Py_XDECREF(responses.in_defer);
    Py_XDECREF(wave_id);
    Py_XDECREF(levels);
    release_names(&groups);
    release_names(&points);
    if (result == NULL) Py_RETURN_NONE;
    return result;
}

static PyMethodDef methods[] = {
    {"read_part", read_part, METH_VARARGS, "A stored v2 batch part's columns, or None."},
    {"texts_or_none", texts_or_none, METH_VARARGS, "Whether every value is a str or None."},
    {"members", members, METH_VARARGS, "Whether every value is None or a str in a set."},
    {"row_codes", row_codes, METH_VARARGS, "The rows' code bytes through a table, or None."},
    {"indices", indices, METH_VARARGS, "Each name's index in a dict, as intp bytes, or None."},
    {"count", count, METH_VARARGS, "Count rows of level bytes into group and point grids."},
    {"datetimes", datetimes, METH_VARARGS, "Whether every value is a plain ISO datetime."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_counting", "Compiled loops of the survey fold.", -1, methods,
};

/* Raised whenever a function's arguments or meaning change: counting.py refuses a module
 * built from an older source (an editable install not re-run) rather than call it wrongly. */
#define INTERFACE 4

PyMODINIT_FUNC PyInit__counting(void) {
    make_row_codes();
    make_hex_values();
    PyObject *made = PyModule_Create(&module);
    if (made != NULL && PyModule_AddIntConstant(made, "INTERFACE", INTERFACE) < 0) Py_CLEAR(made);
    return made;
}
