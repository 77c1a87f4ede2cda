// The classifier is inline in include/byte_classes.h; a C target needs one source file.
#include "byte_classes.h"
