package io.jwtproxy.tls;

/** What is wrong with TLS material, and which of its files it is in. */
public final class TlsFileException extends Exception
{
    /** The file at fault. */
    public enum File
    {
        CERTIFICATE, KEY
    }

    private final File file;

    public TlsFileException(File file, String message)
    {
        super(message, null, false, false);
        this.file = file;
    }

    public File file()
    {
        return file;
    }
}
