#ifndef DUQUANT_CMAPGUARD_H
#define DUQUANT_CMAPGUARD_H
#include <stddef.h>
// A guard for read-only file mappings whose file may shrink while they are read.
//
// Touching a page of a mapping past the end of a file that another process truncated raises SIGBUS, which
// would end the process ("Bus error", exit 135) in the middle of parsing a header. While a mapping is
// registered here, a SIGBUS inside it is answered by mapping a page of zeros over the lost page, counting
// the fault and returning: the parser reads zeros instead of dying, and the caller, seeing the count (or
// the file's changed size), reports the file as changed. A SIGBUS anywhere else goes to the handler that
// was installed before (the Swift runtime's crash report) or to the default action.

/// Registers [start, start + length) as guarded; returns a slot for ``duq_mapguard_unregister``, or -1
/// when every slot is taken (the mapping is then read unguarded). Installs the handler on first use.
int duq_mapguard_register(const void *start, size_t length);

/// Ends the guard of `slot` (before the mapping is unmapped); returns how many lost pages were replaced
/// by zeros while it was registered.
unsigned long duq_mapguard_unregister(int slot);

#endif
