// ReadStat (Debian's libreadstat-dev): reads Stata .dta, SPSS .sav/.zsav/.por and SAS
// .sas7bdat/.xpt files for `airlock tabulate`.
#include <readstat.h>
