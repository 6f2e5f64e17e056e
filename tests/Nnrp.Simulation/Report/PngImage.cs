using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Nnrp.Simulation.Report;

/// <summary>
/// An RGB canvas written as a PNG (RFC 2083: signature, IHDR, one zlib IDAT of filter-0 rows,
/// IEND, each chunk with its CRC-32), with lines, boxes and a 5×7 bitmap font — enough for a
/// legible line plot without a plotting package or a native graphics library.
/// </summary>
internal sealed class PngImage(int width, int height)
{
    private readonly byte[] _rgb = Fill(width, height);

    public int Width { get; } = width;

    public int Height { get; } = height;

    private static byte[] Fill(int width, int height)
    {
        var rgb = new byte[width * height * 3];
        Array.Fill(rgb, (byte)255);
        return rgb;
    }

    public void Set(int x, int y, (byte R, byte G, byte B) c)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
        {
            return;
        }
        int i = ((y * Width) + x) * 3;
        _rgb[i] = c.R;
        _rgb[i + 1] = c.G;
        _rgb[i + 2] = c.B;
    }

    public void Rect(int x0, int y0, int x1, int y1, (byte, byte, byte) c)
    {
        for (int y = Math.Min(y0, y1); y <= Math.Max(y0, y1); y++)
        {
            for (int x = Math.Min(x0, x1); x <= Math.Max(x0, x1); x++)
            {
                Set(x, y, c);
            }
        }
    }

    /// <summary>A line <paramref name="thickness"/> pixels wide (Bresenham, stamped); <paramref name="dash"/> &gt; 0 leaves gaps.</summary>
    public void Line(int x0, int y0, int x1, int y1, (byte, byte, byte) c, int thickness = 1, int dash = 0)
    {
        int dx = Math.Abs(x1 - x0), dy = -Math.Abs(y1 - y0);
        int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
        int err = dx + dy, step = 0;
        while (true)
        {
            if (dash == 0 || (step++ / dash) % 2 == 0)
            {
                Rect(x0 - (thickness / 2), y0 - (thickness / 2), x0 + ((thickness - 1) / 2), y0 + ((thickness - 1) / 2), c);
            }
            if (x0 == x1 && y0 == y1)
            {
                return;
            }
            int e2 = 2 * err;
            if (e2 >= dy)
            {
                err += dy;
                x0 += sx;
            }
            if (e2 <= dx)
            {
                err += dx;
                y0 += sy;
            }
        }
    }

    /// <summary>Text in the 5×7 font at <paramref name="scale"/>, upper-cased; returns its width in pixels.</summary>
    public int Text(int x, int y, string text, (byte, byte, byte) c, int scale = 2)
    {
        int cx = x;
        foreach (char ch in text.ToUpperInvariant())
        {
            byte[] rows = Font.TryGetValue(ch, out byte[]? glyph) ? glyph : Font['?'];
            for (int r = 0; r < 7; r++)
            {
                for (int col = 0; col < 5; col++)
                {
                    if ((rows[r] & (0x10 >> col)) != 0)
                    {
                        Rect(cx + (col * scale), y + (r * scale), cx + (col * scale) + scale - 1, y + (r * scale) + scale - 1, c);
                    }
                }
            }
            cx += 6 * scale;
        }
        return cx - x;
    }

    public static int TextWidth(string text, int scale = 2) => text.Length * 6 * scale;

    public void Save(string path)
    {
        using var file = File.Create(path);
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, Width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), Height);
        header[8] = 8; // bit depth
        header[9] = 2; // colour type: RGB
        Chunk(file, "IHDR", header);
        using var raw = new MemoryStream();
        using (var zlib = new ZLibStream(raw, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            for (int y = 0; y < Height; y++)
            {
                zlib.WriteByte(0); // filter: none
                zlib.Write(_rgb, y * Width * 3, Width * 3);
            }
        }
        Chunk(file, "IDAT", raw.ToArray());
        Chunk(file, "IEND", []);
    }

    private static void Chunk(Stream output, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        byte[] typeBytes = Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        uint crc = Crc32.Update(Crc32.Update(0xFFFFFFFFu, typeBytes), data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        output.Write(word);
    }

    /// <summary>The CRC-32 of PNG chunks (ISO 3309, polynomial 0xEDB88320, reflected).</summary>
    private static class Crc32
    {
        private static readonly uint[] Table = MakeTable();

        public static uint Update(uint crc, ReadOnlySpan<byte> data)
        {
            foreach (byte b in data)
            {
                crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
            }
            return crc;
        }

        private static uint[] MakeTable()
        {
            var table = new uint[256];
            for (uint n = 0; n < 256; n++)
            {
                uint c = n;
                for (int k = 0; k < 8; k++)
                {
                    c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                }
                table[n] = c;
            }
            return table;
        }
    }

    // 5×7 glyphs, one byte per row, bit 4 = leftmost column.
    private static readonly Dictionary<char, byte[]> Font = new()
    {
        ['0'] = [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E], ['1'] = [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        ['2'] = [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F], ['3'] = [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        ['4'] = [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02], ['5'] = [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        ['6'] = [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E], ['7'] = [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        ['8'] = [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E], ['9'] = [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
        ['A'] = [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11], ['B'] = [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E],
        ['C'] = [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E], ['D'] = [0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C],
        ['E'] = [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F], ['F'] = [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10],
        ['G'] = [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F], ['H'] = [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        ['I'] = [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E], ['J'] = [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C],
        ['K'] = [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11], ['L'] = [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F],
        ['M'] = [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11], ['N'] = [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
        ['O'] = [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E], ['P'] = [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10],
        ['Q'] = [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D], ['R'] = [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11],
        ['S'] = [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E], ['T'] = [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        ['U'] = [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E], ['V'] = [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04],
        ['W'] = [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A], ['X'] = [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11],
        ['Y'] = [0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04], ['Z'] = [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F],
        [' '] = [0, 0, 0, 0, 0, 0, 0], ['.'] = [0, 0, 0, 0, 0, 0x0C, 0x0C], ['-'] = [0, 0, 0, 0x1F, 0, 0, 0],
        ['/'] = [0, 0x01, 0x02, 0x04, 0x08, 0x10, 0], ['('] = [0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02],
        [')'] = [0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08], [':'] = [0, 0x0C, 0x0C, 0, 0x0C, 0x0C, 0],
        [','] = [0, 0, 0, 0, 0x0C, 0x04, 0x08], ['%'] = [0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03],
        ['='] = [0, 0, 0x1F, 0, 0x1F, 0, 0], ['+'] = [0, 0x04, 0x04, 0x1F, 0x04, 0x04, 0], ['?'] = [0x0E, 0x11, 0x01, 0x02, 0x04, 0, 0x04],
    };
}
