#include "syslogmessage.h"

#include <QByteArray>
#include <QDateTime>

#include <cstring>

#include "fieldvalues.h"

namespace fg {

namespace {

constexpr std::size_t kMaxServiceName = 256;

Level severityLevel(int severity)
{
    if (severity <= 2)
        return Level::Fatal;
    if (severity == 3)
        return Level::Error;
    if (severity == 4)
        return Level::Warn;
    if (severity <= 6)
        return Level::Info;
    return Level::Debug;
}

const char *facilityName(int facility)
{
    static const char *const names[] = {"kern",   "user",   "mail",   "daemon", "auth",   "syslog", "lpr",    "news",
                                        "uucp",   "cron",   "authpriv", "ftp",  "ntp",    "security", "console", "solaris-cron",
                                        "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"};
    return facility >= 0 && facility < 24 ? names[facility] : "unknown";
}

// Takes one space-delimited token off the front.
std::string_view token(std::string_view &s)
{
    const std::size_t sp = s.find(' ');
    const std::string_view t = s.substr(0, sp);
    s = sp == std::string_view::npos ? std::string_view() : s.substr(sp + 1);
    return t;
}

void member(std::string &out, std::string_view key, std::string_view value)
{
    out.push_back(out.empty() ? '{' : ',');
    appendJsonString(out, key);
    out.push_back(':');
    appendJsonString(out, value);
}

// [id param="value" …]… into {"id":{"param":"value"}}; nullopt when malformed.
std::optional<std::string> structuredData(std::string_view &s)
{
    std::string out = "{";
    bool firstElement = true;
    while (!s.empty() && s.front() == '[') {
        s.remove_prefix(1);
        const std::size_t idEnd = s.find_first_of(" ]");
        if (idEnd == std::string_view::npos || idEnd == 0)
            return std::nullopt;
        if (!firstElement)
            out.push_back(',');
        firstElement = false;
        appendJsonString(out, s.substr(0, idEnd));
        out += ":{";
        s.remove_prefix(idEnd);
        bool firstParam = true;
        for (;;) {
            if (s.empty())
                return std::nullopt;
            if (s.front() == ']') {
                s.remove_prefix(1);
                break;
            }
            if (s.front() != ' ')
                return std::nullopt;
            s.remove_prefix(1);
            const std::size_t eq = s.find('=');
            if (eq == std::string_view::npos || eq == 0 || eq + 1 >= s.size() || s[eq + 1] != '"')
                return std::nullopt;
            const std::string_view name = s.substr(0, eq);
            s.remove_prefix(eq + 2);
            std::string value;
            bool closed = false;
            while (!s.empty()) {
                const char c = s.front();
                s.remove_prefix(1);
                if (c == '\\' && !s.empty() && (s.front() == '"' || s.front() == '\\' || s.front() == ']')) {
                    value.push_back(s.front());
                    s.remove_prefix(1);
                } else if (c == '"') {
                    closed = true;
                    break;
                } else {
                    value.push_back(c);
                }
            }
            if (!closed)
                return std::nullopt;
            if (!firstParam)
                out.push_back(',');
            firstParam = false;
            appendJsonString(out, name);
            out.push_back(':');
            appendJsonString(out, value);
        }
        out.push_back('}');
    }
    out.push_back('}');
    return out;
}

// "Mmm dd hh:mm:ss" of RFC 3164 in local time: this year, or last year when that would be in the future.
std::optional<TimeNs> bsdTime(std::string_view s, TimeNs receivedAt)
{
    if (s.size() < 15)
        return std::nullopt;
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const std::string_view mon = s.substr(0, 3);
    const std::size_t m = std::string_view(months).find(mon);
    if (m == std::string_view::npos || m % 3 != 0 || s[3] != ' ')
        return std::nullopt;
    auto digit = [&](std::size_t i) { return s[i] >= '0' && s[i] <= '9'; };
    if (!digit(5) || !(s[4] == ' ' || digit(4)))
        return std::nullopt;
    const int day = (s[4] == ' ' ? 0 : s[4] - '0') * 10 + (s[5] - '0');
    if (day < 1 || day > 31 || s[6] != ' ' || !digit(7) || !digit(8) || s[9] != ':' || !digit(10) || !digit(11)
        || s[12] != ':' || !digit(13) || !digit(14))
        return std::nullopt;
    const QDateTime received = QDateTime::fromMSecsSinceEpoch(receivedAt / kNsPerMs);
    const QTime time((s[7] - '0') * 10 + s[8] - '0', (s[10] - '0') * 10 + s[11] - '0', (s[13] - '0') * 10 + s[14] - '0');
    for (int year : {received.date().year(), received.date().year() - 1}) {
        const QDate date(year, int(m / 3) + 1, day);
        if (!date.isValid() || !time.isValid())
            continue;
        const QDateTime at(date, time);
        if (at.toMSecsSinceEpoch() <= received.toMSecsSinceEpoch() + 86'400'000LL)
            return TimeNs(at.toMSecsSinceEpoch()) * kNsPerMs;
    }
    return std::nullopt;
}

} // namespace

bool parseSyslogMessage(std::string_view s, TimeNs receivedAt, LogRecord &r, ItemError &error)
{
    auto fail = [&](const char *field, std::string message) {
        error.field = field;
        error.message = std::move(message);
        return false;
    };
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == '\0'))
        s.remove_suffix(1);
    r.received = receivedAt;
    r.ts = receivedAt;
    int pri = 13; // user.notice, for messages without a PRI (RFC 3164 4.3.3)
    if (!s.empty() && s.front() == '<') {
        const std::size_t close = s.find('>');
        if (close == std::string_view::npos || close < 2 || close > 4)
            return fail("pri", "PRI must be <0> to <191>");
        pri = 0;
        for (std::size_t i = 1; i < close; ++i) {
            if (s[i] < '0' || s[i] > '9')
                return fail("pri", "PRI must be <0> to <191>");
            pri = pri * 10 + (s[i] - '0');
        }
        if (pri > 191)
            return fail("pri", "PRI must be <0> to <191>");
        s.remove_prefix(close + 1);
    }
    const int facility = pri / 8, severity = pri % 8;
    r.level = severityLevel(severity);
    std::string attributes;
    member(attributes, "facility", facilityName(facility));
    std::string_view app;

    if (s.size() >= 2 && s[0] == '1' && s[1] == ' ') {
        s.remove_prefix(2);
        const std::string_view ts = token(s);
        if (ts != "-") {
            const auto t = parseIsoTime(ts);
            if (!t)
                return fail("timestamp", "the RFC 5424 timestamp must be RFC 3339 or -");
            r.ts = *t;
        }
        const std::string_view host = token(s);
        app = token(s);
        const std::string_view procid = token(s);
        const std::string_view msgid = token(s);
        if (host != "-" && !host.empty())
            member(attributes, "host", host);
        if (procid != "-" && !procid.empty())
            member(attributes, "procid", procid);
        if (msgid != "-" && !msgid.empty())
            member(attributes, "msgid", msgid);
        if (app == "-")
            app = {};
        if (!s.empty() && s.front() == '-') {
            s.remove_prefix(1);
        } else if (!s.empty() && s.front() == '[') {
            const auto sd = structuredData(s);
            if (!sd)
                return fail("structured_data", "malformed structured data: [id name=\"value\" …]");
            attributes += ",\"sd\":" + *sd;
        }
        if (!s.empty() && s.front() == ' ')
            s.remove_prefix(1);
        if (s.substr(0, 3) == "\xEF\xBB\xBF")
            s.remove_prefix(3);
        // rsyslog's RFC 5424 forwarding template relays a BSD message's text with the space after its
        // "tag:" still in front.
        while (!s.empty() && s.front() == ' ')
            s.remove_prefix(1);
    } else if (const auto t = bsdTime(s, receivedAt)) {
        r.ts = *t;
        s.remove_prefix(std::min<std::size_t>(16, s.size()));
        const std::string_view host = token(s);
        if (!host.empty())
            member(attributes, "host", host);
        // TAG: up to 32 alphanumerics (and ._-/), then an optional [PID] and a colon.
        std::size_t n = 0;
        while (n < s.size() && n < 48 && s[n] != '[' && s[n] != ':' && s[n] != ' ')
            ++n;
        if (n > 0 && n < s.size() && (s[n] == '[' || s[n] == ':')) {
            app = s.substr(0, n);
            s.remove_prefix(n);
            if (s.front() == '[') {
                const std::size_t end = s.find(']');
                if (end != std::string_view::npos) {
                    member(attributes, "procid", s.substr(1, end - 1));
                    s.remove_prefix(end + 1);
                }
            }
            if (!s.empty() && s.front() == ':')
                s.remove_prefix(1);
            if (!s.empty() && s.front() == ' ')
                s.remove_prefix(1);
        }
    }
    r.service.assign(app.empty() ? std::string_view("syslog") : app);
    if (r.service.size() > kMaxServiceName || !isDisplayableName(r.service))
        return fail("app_name", "APP-NAME must be at most 256 bytes without control characters");
    r.message.assign(s);
    r.attributes = attributes + "}";
    return true;
}

SyslogFramer::Result SyslogFramer::next(QByteArray *message)
{
    const qsizetype n = m_in.size();
    const char *in = m_in.constData();
    while (m_pos < n && (in[m_pos] == '\n' || in[m_pos] == '\r' || in[m_pos] == '\0'))
        ++m_pos;
    if (m_pos == n)
        return Result::NeedMore;
    if (in[m_pos] >= '1' && in[m_pos] <= '9') {
        qsizetype i = m_pos;
        qint64 len = 0;
        while (i < n && in[i] >= '0' && in[i] <= '9' && i - m_pos < 8)
            len = len * 10 + (in[i++] - '0');
        if (i == n)
            return Result::NeedMore;
        if (in[i] != ' ')
            return Result::Bad;
        if (len > m_max)
            return Result::TooLarge;
        if (n < i + 1 + len)
            return Result::NeedMore;
        *message = QByteArray(in + i + 1, qsizetype(len));
        m_pos = i + 1 + qsizetype(len);
        return Result::Message;
    }
    const char *nl = static_cast<const char *>(std::memchr(in + m_pos, '\n', std::size_t(n - m_pos)));
    const char *nul = static_cast<const char *>(std::memchr(in + m_pos, '\0', std::size_t(n - m_pos)));
    const char *stop = nl && nul ? std::min(nl, nul) : (nl ? nl : nul);
    if (!stop)
        return n - m_pos > m_max ? Result::TooLarge : Result::NeedMore;
    const qsizetype end = stop - in;
    if (end - m_pos > m_max)
        return Result::TooLarge;
    *message = QByteArray(in + m_pos, end - m_pos);
    if (message->endsWith('\r'))
        message->chop(1);
    m_pos = end + 1;
    return Result::Message;
}

} // namespace fg
