#pragma once

#include <QtGlobal>

#include <cmath>
#include <numbers>

namespace fg::inject {

// Where a moment sits in the day's traffic cycle: 0 at the 04:00 UTC trough, 1 at the 16:00 peak, a
// smooth cosine in between (services see a slow night and a broad afternoon peak, not a square wave).
inline double dailyShape(qint64 epochMs)
{
    constexpr qint64 kDayMs = 24LL * 3600 * 1000;
    const double hour = double(((epochMs % kDayMs) + kDayMs) % kDayMs) / 3600000.0;
    return (1 - std::cos(2 * std::numbers::pi * (hour - 4) / 24)) / 2;
}

} // namespace fg::inject
