namespace GoChat.Grains.Storage;

/// <summary>One page of a keyset-paginated list, and where the next page starts (null: this was the last).</summary>
public sealed record ListPage<TItem, TCursor>(IReadOnlyList<TItem> Items, TCursor? Next) where TCursor : struct;

public static class ListPage
{
    /// <summary>A page of up to <paramref name="limit"/> rows, with a next cursor only when the page is full.</summary>
    public static ListPage<TItem, TCursor> Of<TRow, TItem, TCursor>(IReadOnlyList<TRow> rows, int limit, Func<TRow, TItem> item, Func<TRow, TCursor> cursor)
        where TCursor : struct =>
        new(rows.Select(item).ToList(), rows.Count == limit && rows.Count > 0 ? cursor(rows[^1]) : null);

    /// <summary>Walks pages from the start until the list ends or <paramref name="max"/> items are collected.</summary>
    public static async Task<List<TItem>> Walk<TItem, TCursor>(Func<TCursor?, int, Task<ListPage<TItem, TCursor>>> page, int pageSize, int max)
        where TCursor : struct
    {
        var items = new List<TItem>();
        TCursor? after = null;
        do
        {
            var next = await page(after, Math.Min(pageSize, max - items.Count));
            items.AddRange(next.Items);
            after = next.Next;
        }
        while (after is not null && items.Count < max);
        return items;
    }
}
