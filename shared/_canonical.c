/* Whether a float is anywhere in a value: `canonical._holds_float` in one compiled walk.
 * Every digest in Pingyi is taken over `canonical_json`, which writes with orjson only a
 * value holding no float (orjson writes floats unlike the standard library, which defines
 * the canonical form), so every digest first walks its whole value; for a round's results
 * (a replay's serial tail) the walk in Python took longer than the writing. Built when a
 * C compiler is there (setup.py: optional); `canonical.py` walks in Python otherwise, and
 * tests/shared/test_canonical_native.py holds the two equal. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *enum_type; /* enum.Enum, handed over by `configure` */

static int holds(PyObject *value);

static int any_of(PyObject *iterable) {
    PyObject *iterator = PyObject_GetIter(iterable);
    if (iterator == NULL) return -1;
    PyObject *item;
    int found = 0;
    while (!found && (item = PyIter_Next(iterator)) != NULL) {
        found = holds(item);
        Py_DECREF(item);
    }
    Py_DECREF(iterator);
    if (found == 0 && PyErr_Occurred()) return -1;
    return found;
}

static int sequence(PyObject *items) {
    /* The size read at every step and each item held while looked at: an enum's `value`
     * is Python code, which could change the list being walked. */
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(items); i++) {
        PyObject *item = Py_NewRef(PySequence_Fast_GET_ITEM(items, i));
        int found = holds(item);
        Py_DECREF(item);
        if (found) return found;
    }
    return 0;
}

static int mapping_values(PyObject *mapping) {
    PyObject *key, *item;
    Py_ssize_t at = 0;
    if (PyDict_CheckExact(mapping)) {
        while (PyDict_Next(mapping, &at, &key, &item)) {
            Py_INCREF(item);
            int found = holds(item);
            Py_DECREF(item);
            if (found) return found;
        }
        return 0;
    }
    PyObject *values = PyObject_CallMethod(mapping, "values", NULL);
    if (values == NULL) return -1;
    int found = any_of(values);
    Py_DECREF(values);
    return found;
}

/* 1: a float is there; 0: none; -1: an error is set. The order of the checks is
 * `_holds_float`'s. */
static int holds(PyObject *value) {
    PyTypeObject *kind = Py_TYPE(value);
    if (kind == &PyDict_Type || kind == &PyList_Type || kind == &PyTuple_Type) {
        if (Py_EnterRecursiveCall(" while looking for floats")) return -1;
        int found = kind == &PyDict_Type ? mapping_values(value) : sequence(value);
        Py_LeaveRecursiveCall();
        return found;
    }
    if (kind == &PyUnicode_Type || kind == &PyLong_Type || value == Py_None || kind == &PyBool_Type)
        return 0;
    if (PyFloat_Check(value)) return 1;
    int is_enum = enum_type == NULL ? 0 : PyObject_IsInstance(value, enum_type);
    if (is_enum < 0) return -1;
    int found = 0;
    if (Py_EnterRecursiveCall(" while looking for floats")) return -1;
    if (is_enum) {
        PyObject *inner = PyObject_GetAttrString(value, "value");
        found = inner == NULL ? -1 : holds(inner);
        Py_XDECREF(inner);
    } else if (PyAnySet_Check(value)) {
        found = any_of(value);
    } else if (PyDict_Check(value)) {
        found = mapping_values(value);
    } else if (PyList_Check(value) || PyTuple_Check(value)) {
        found = any_of(value);
    }
    Py_LeaveRecursiveCall();
    return found;
}

static PyObject *holds_float(PyObject *self, PyObject *value) {
    int found = holds(value);
    if (found < 0) return NULL;
    return PyBool_FromLong(found);
}

static PyObject *configure(PyObject *self, PyObject *enum_class) {
    Py_XSETREF(enum_type, Py_NewRef(enum_class));
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"holds_float", holds_float, METH_O, "Whether a float is anywhere in the value."},
    {"configure", configure, METH_O, "Hand over enum.Enum."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_canonical", "Compiled walks of shared.canonical.", -1, methods,
};

PyMODINIT_FUNC PyInit__canonical(void) { return PyModule_Create(&module); }
