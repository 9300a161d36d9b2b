#pragma once

#include <QStringList>

// `flowguard token create|list|revoke`: manages the API tokens of a database (its tokens file), whether
// or not FlowGuard is running on it; a running engine picks the change up within a second.
int runTokenCommand(const QStringList &arguments);
