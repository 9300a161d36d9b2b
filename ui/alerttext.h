#pragma once

#include <QString>

namespace fg {

// The API's alert and incident codes ("critical", "firing", "closed") as translated words for the window;
// unknown codes are shown as they come. GUI thread.
QString alertLevelText(const QString &level);
QString alertStateText(const QString &state);
QString incidentStateText(const QString &state);

} // namespace fg
