import re
def test_probe(head):
    page = head.get("/admin/").get_data(as_text=True)
    i = page.find("navbar")
    print(re.findall(r'dropdown-toggle[^>]*>([^<]*)<', page))
    print(page[:200])
