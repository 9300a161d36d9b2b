#pragma once

namespace fg {

// Demo traffic (flowguard --demo, flowguard demo-data) goes to services named with this prefix and carries
// attributes.demo=true; clearing demo data deletes everything of these services and nothing else.
inline constexpr const char *kDemoServicePrefix = "demo-";

} // namespace fg
