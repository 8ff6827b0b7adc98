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

static int is_datetime(PyObject *value) {
    if (!PyUnicode_CheckExact(value) || PyUnicode_KIND(value) != PyUnicode_1BYTE_KIND) return 0;
    Py_ssize_t n = PyUnicode_GET_LENGTH(value);
    const unsigned char *s = PyUnicode_1BYTE_DATA(value);
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

static PyMethodDef methods[] = {
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
#define INTERFACE 1

PyMODINIT_FUNC PyInit__counting(void) {
    PyObject *made = PyModule_Create(&module);
    if (made != NULL && PyModule_AddIntConstant(made, "INTERFACE", INTERFACE) < 0) Py_CLEAR(made);
    return made;
}
