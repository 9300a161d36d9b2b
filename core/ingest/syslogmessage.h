#pragma once

#include <QByteArray>

#include <string_view>

#include "jsonitems.h"
#include "model/records.h"

namespace fg {

// One syslog message as a log record: RFC 5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG`), else the
// BSD form of RFC 3164 (`<PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG`, local time of the current year), else
// the whole text as the message. Severity gives the level (0–2 FATAL, 3 ERROR, 4 WARN, 5–6 INFO, 7 DEBUG),
// APP-NAME or TAG the service ("syslog" without one); host, facility, procid, msgid and structured data
// become attributes. False with *error when the message cannot be taken (a bad PRI or 5424 timestamp).
bool parseSyslogMessage(std::string_view text, TimeNs receivedAt, LogRecord &r, ItemError &error);

// Splits a TCP syslog stream into messages (RFC 6587): octet counting (`LEN SP MSG`) when a message starts
// with a digit, else one message a line (LF, CR LF or NUL terminated). Pure and bounded by maxMessage.
class SyslogFramer final {
public:
    enum class Result { Message, NeedMore, TooLarge, Bad };
    explicit SyslogFramer(qsizetype maxMessage) : m_max(maxMessage) {}
    void append(const char *data, qsizetype size)
    {
        if (m_pos > 0) { // drop what was taken, once per read rather than once per message
            m_in.remove(0, m_pos);
            m_pos = 0;
        }
        m_in.append(data, size);
    }
    // The next whole message into *message; TooLarge/Bad: the stream cannot go on.
    Result next(QByteArray *message);
    qsizetype buffered() const { return m_in.size() - m_pos; }

private:
    QByteArray m_in;
    qsizetype m_pos = 0; // start of what is not yet taken
    qsizetype m_max;
};

} // namespace fg
