#pragma once

#include <QJsonObject>

#include <string>

#include "alert.h"

namespace fg {

// The alert report: RFC 4180 (CRLF, quoted where needed), UTF-8, ISO 8601 UTC times, channels joined
// by ';'. The API's alert JSON carries the same fields under the same names.
std::string alertCsvHeader();
std::string alertCsvRow(const Alert &a, TimeNs now);
QJsonObject alertJson(const Alert &a, TimeNs now);

} // namespace fg
