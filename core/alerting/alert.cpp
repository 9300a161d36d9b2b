#include "alert.h"

namespace fg {

std::string_view alertStateName(Alert::State state)
{
    switch (state) {
    case Alert::State::Pending:
        return "pending";
    case Alert::State::Firing:
        return "firing";
    case Alert::State::Resolved:
        return "resolved";
    }
    return "pending";
}

AlertTransition historyNote(const Alert &a, TimeNs wall, std::string reason)
{
    const std::string state(alertStateName(a.state));
    return {a.id, wall, wall, state, state, std::move(reason)};
}

AlertTransition acknowledgeAlert(Alert &a, const std::string &by, const std::string &note, TimeNs wall)
{
    a.acknowledgedBy = by;
    a.acknowledgedAt = wall;
    a.ackNote = note;
    a.updated = wall;
    return historyNote(a, wall, "acknowledged by " + by + (note.empty() ? "" : ": " + note));
}

} // namespace fg
