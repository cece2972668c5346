package io.jwtproxy.pem;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The blocks of a PEM document (RFC 7468): each one's label and its DER bytes, in order. */
final class Pem
{
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

    private Pem()
    {
    }

    /** One block: {@code label} as in {@code -----BEGIN <label>-----}, {@code encrypted} for a traditional block with {@code Proc-Type: 4,ENCRYPTED}. */
    record Block(String label, byte[] der, boolean encrypted)
    {
    }

    /**
     * @throws IllegalArgumentException if a block's content is not base64
     */
    static List<Block> blocks(String text)
    {
        List<Block> blocks = new ArrayList<>();
        Matcher block = BLOCK.matcher(text);
        while (block.find())
        {
            String body = block.group(2);
            boolean encrypted = body.contains("Proc-Type:") && body.contains("ENCRYPTED");
            byte[] der = new byte[0];
            if (!encrypted)
            {
                try
                {
                    der = Base64.getMimeDecoder().decode(body.trim());
                }
                catch (IllegalArgumentException x)
                {
                    throw new IllegalArgumentException("its " + block.group(1) + " block is not valid base64");
                }
            }
            blocks.add(new Block(block.group(1), der, encrypted));
        }
        return blocks;
    }

    /** @return {@code der} as a PEM block labelled {@code label} */
    static String format(String label, byte[] der)
    {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(der) + "\n-----END " + label
            + "-----\n";
    }
}
