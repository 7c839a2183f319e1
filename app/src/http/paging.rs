//! Paginated lists: `?page=1&per_page=50` (at most [`MAX_PER_PAGE`]); each list answers with its
//! items and `page`, `per_page`, `total`.

use crate::domain::InvalidInput;

pub const MAX_PER_PAGE: u32 = 100;
pub const DEFAULT_PER_PAGE: u32 = 50;

#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub page: u32,
    pub per_page: u32,
}

impl Paging {
    pub fn parse(page: Option<u32>, per_page: Option<u32>) -> Result<Self, InvalidInput> {
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
        if page == 0 {
            return Err(InvalidInput::new("page", "pages start at 1"));
        }
        if per_page == 0 || per_page > MAX_PER_PAGE {
            return Err(InvalidInput::new(
                "per_page",
                format!("must be 1 to {MAX_PER_PAGE}"),
            ));
        }
        Ok(Self { page, per_page })
    }

    pub fn limit(self) -> i64 {
        i64::from(self.per_page)
    }

    pub(crate) fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_bounded() {
        let p = Paging::parse(Some(3), Some(20)).unwrap();
        assert_eq!((p.limit(), p.offset()), (20, 40));
        assert_eq!(Paging::parse(None, None).unwrap().offset(), 0);
        assert!(Paging::parse(Some(0), None).is_err());
        assert!(Paging::parse(None, Some(MAX_PER_PAGE + 1)).is_err());
        assert!(Paging::parse(None, Some(0)).is_err());
    }
}
