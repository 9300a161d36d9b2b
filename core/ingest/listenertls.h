#pragma once

#include <QSslConfiguration>
#include <QString>
#include <QStringList>

#include <optional>

class QTcpSocket;

namespace fg {

// TLS for the listener: its configuration from the files the user names, and what TLS changes about a
// socket's write buffer.

// What --tls-cert, --tls-key and --tls-key-passphrase-file name.
struct TlsFiles {
    QString certPath;       // PEM: the server certificate, then any intermediates
    QString keyPath;        // PEM: its RSA or EC private key, PKCS#1, SEC1 or PKCS#8, encrypted or not
    QString passphrasePath; // optional: a file whose first line is the key's passphrase
};

// The listener's TLS settings (TLS 1.2 or later, no client certificates), or nullopt with one line in
// *error when a file cannot be read or parsed or the key does not belong to the certificate: checked
// before anything listens, so that a wrong file stops the start instead of failing every handshake.
// *warnings: usable but worth saying (an expired certificate).
std::optional<QSslConfiguration> loadServerTls(const TlsFiles &files, QString *error, QStringList *warnings);

// Bytes written to the socket that have not left the process yet. QSslSocket::bytesToWrite() counts only
// plaintext not yet encrypted; what is encrypted waits in the socket underneath.
qint64 unsentBytes(const QTcpSocket &socket);

} // namespace fg
